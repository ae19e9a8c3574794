"""/readyz says why a manifest was refused in the caller's language, with its stable code
(a real server process, real files)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
from tests.serve.serve_fixtures import Server, write

PERSIAN = re.compile("[\u0600-\u06ff]")


def _documented(srv: Server, status: int, body: Any) -> None:
    """``body`` is what serve's own OpenAPI document says /readyz answers with ``status``."""
    doc = srv.get("/openapi.json").json()
    content = doc["paths"]["/readyz"]["get"]["responses"][str(status)]["content"]
    jsonschema.validate(body, content["application/json"]["schema"])


def test_a_refused_reload_is_said_in_lang_with_its_code(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    assert server.get("/readyz").json()["last_error_code"] is None
    tampered = dict(doc, defaults={})  # the recorded digest no longer holds
    write(path, tampered)
    server.wait_for(lambda: server.get("/readyz").json()["reload_failures"] > 0)
    en = server.get("/readyz").json()
    fa = server.get("/readyz", params={"lang": "fa"})
    by_header = server.get("/readyz", headers={"Accept-Language": "fa-IR,fa;q=0.9"})
    assert fa.headers["content-language"] == "fa" and fa.json()["ready"] is True
    assert en["last_error_code"] == fa.json()["last_error_code"] == "digest_mismatch"
    assert en["last_error"].startswith(f"manifest {path} does not match its digest")
    assert PERSIAN.search(fa.json()["last_error"]) and str(path) in fa.json()["last_error"]
    assert by_header.json()["last_error"] == fa.json()["last_error"]
    _documented(server, 200, en)


def test_not_ready_yet_is_said_in_lang(tmp_path: Path) -> None:
    srv = Server(str(tmp_path / "absent.json"), tmp_path, ready=False)
    try:
        srv.wait_for(lambda: srv.get("/readyz").json().get("code") is not None)
        resp = srv.get("/readyz", params={"lang": "fa"})
        assert resp.status_code == 503
        _documented(srv, 503, resp.json())
        assert resp.json() == {
            "ready": False,
            "code": "manifest_not_found",
            "error": f"مانیفست {tmp_path / 'absent.json'} پیدا نشد",
        }
        v1 = srv.get("/v1/resolve", params={"lang": "fa"})
        assert v1.status_code == 503 and v1.headers["content-language"] == "fa"
        assert v1.json()["error"] == {
            "code": "not_ready",
            "message": "هنوز هیچ مانیفست سالمی بار نشده است",
        }
        assert (
            srv.get("/readyz").json()["error"] == f"manifest {tmp_path / 'absent.json'} not found"
        )
    finally:
        srv.stop()
