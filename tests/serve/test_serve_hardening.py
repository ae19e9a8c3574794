"""serve's reload thread, logs and fast path under hostile input, on real processes."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

from tests.serve.serve_fixtures import Server, variant, write
from tests.serve.test_serve_reload import http_dir  # noqa: F401  (fixture)

from regctl.base.canonical import seal

ACTIVE = "/v1/providers/openai/active"


def _broken(doc: dict[str, Any], how: str) -> dict[str, Any]:
    """``doc`` with a model entry broken in a way the digest cannot see (re-sealed)."""
    body = json.loads(json.dumps(doc))
    key = sorted(body["models"])[0]
    if how == "capabilities-not-a-list":
        body["models"][key]["capabilities"] = 5
    elif how == "entry-not-an-object":
        body["models"][key] = "oops"
    elif how == "models-not-an-object":
        body["models"] = ["a", "b"]
    return seal(body)


def test_reload_thread_survives_manifests_that_verify_but_are_broken(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    for how in ("capabilities-not-a-list", "entry-not-an-object", "models-not-an-object"):
        before = server.get("/readyz").json()["reload_failures"]
        write(path, _broken(doc, how))
        server.wait_for(lambda b=before: server.get("/readyz").json()["reload_failures"] > b)
        ready = server.get("/readyz").json()
        assert ready["ready"] is True and ready["digest"] == doc["digest"], how
        assert ready["last_error"], how  # honest: the refused manifest is reported
        time.sleep(0.5)  # several more polls of the same broken file
        assert server.get("/readyz").json()["last_error"], how
        assert server.get(ACTIVE).json()["model"]["key"] == "openai/gpt-4o"
    # The thread is alive: a good manifest is still picked up, and the error clears.
    new = variant(doc, "openai/gpt-4o-mini")
    write(path, new)
    server.wait_for(lambda: server.get(ACTIVE).json()["model"]["key"] == "openai/gpt-4o-mini")
    assert server.get("/readyz").json()["last_error"] is None
    assert "Traceback" not in server.logs()


def test_a_broken_first_manifest_is_not_ready_with_its_error(tmp_path: Path, manifest: Any) -> None:
    path, doc = manifest
    write(path, _broken(doc, "entry-not-an-object"))
    srv = Server(str(path), tmp_path, ready=False)
    try:
        # "first load in progress" until the first attempt ends (slow on a loaded machine),
        # then the attempt's own error
        srv.wait_for(
            lambda: (
                srv.get("/readyz").json().get("error") not in (None, "", "first load in progress")
            )
        )
        r = srv.get("/readyz")
        assert r.status_code == 503 and "first load" not in r.json()["error"]
        write(path, doc)
        srv.wait_for(lambda: srv.get("/readyz").status_code == 200)
    finally:
        assert srv.stop() == 0


def _raw_get(port: int, target: str, *extra: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = f"GET {target} HTTP/1.1\r\nHost: x\r\n" + "".join(f"{h}\r\n" for h in extra)
        s.sendall(head.encode() + b"\r\n")
        out = b""
        while b"\r\n\r\n" not in out:
            out += s.recv(65536)
        head_bytes, _, body = out.partition(b"\r\n\r\n")
        length = int(
            next(h for h in head_bytes.split(b"\r\n") if h.startswith(b"content-length")).split(
                b":"
            )[1]
        )
        while len(body) < length:
            body += s.recv(65536)
        return head_bytes + b"\r\n\r\n" + body


def _without_date(raw: bytes) -> bytes:
    return b"\r\n".join(line for line in raw.split(b"\r\n") if not line.startswith(b"date: "))


def test_table_answers_are_the_apps_bytes(server: Server) -> None:
    # `Accept-Language: *` names no language: the same answer, but through the app.
    for target in (
        ACTIVE,
        ACTIVE + "?capability=chat",
        ACTIVE + "?capability=embedding",
        "/v1/providers/anthropic/active?capability=chat",
        "/v1/resolve",
        "/v1/resolve?capability=chat&provider=anthropic",
    ):
        fast = _raw_get(server.port, target)
        app = _raw_get(server.port, target, "Accept-Language: *")
        assert fast.startswith(b"HTTP/1.1 200 OK\r\n"), fast[:100]
        assert _without_date(fast) == _without_date(app), target


def test_text_access_log_escapes_decoded_paths(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    srv = Server(str(manifest[0]), tmp_path, args=("--format", "text"))
    try:
        srv.get("/v1/x%0Aforged%20info%20request%20status=200%0D%1B[31m%E2%80%AE")
    finally:
        assert srv.stop() == 0
    lines = srv.logs().splitlines()
    assert not any(line.startswith("forged") for line in lines)
    hit = next(line for line in lines if "/v1/x" in line)
    assert '"/v1/x\\nforged info request status=200\\r\\u001b[31m\\u202e"' in hit
    assert "\x1b" not in srv.logs() and "\u202e" not in srv.logs()


def test_json_access_log_stays_one_ascii_line_per_request(server: Server) -> None:
    server.get("/v1/x%0A%E2%80%A8y")
    assert server.stop() == 0
    lines = server.logs().splitlines()
    entries = [json.loads(line) for line in lines]
    assert any(e.get("path") == "/v1/x\n\u2028y" for e in entries)
    assert all(line.isascii() for line in lines)


def test_manifest_url_credentials_are_never_logged_or_served(
    tmp_path: Path,
    http_dir: tuple[str, Path],  # noqa: F811
    manifest: tuple[Path, dict[str, Any]],
) -> None:
    base, root = http_dir
    (root / "prod.json").write_bytes(manifest[0].read_bytes())
    host = base.removeprefix("http://")
    for url in (
        f"http://scott:hunter2-pw@{host}/prod.json",
        f"http://{host}/prod.json?token=tok-SECRET-123&x=1",
        f"http://{host}/missing.json?access_token=tok-SECRET-123",
    ):
        srv = Server(url, tmp_path, ready=False, REGCTL_CACHE_DIR=str(tmp_path / "cache"))
        try:
            srv.wait_for(
                lambda s=srv: (
                    s.get("/readyz").json().get("ready") is not None
                    or s.get("/readyz").json().get("error")
                )
            )
            time.sleep(0.5)
            served = srv.get("/readyz").text + srv.get("/metrics").text
        finally:
            srv.stop()
        for secret in ("hunter2-pw", "tok-SECRET-123"):
            assert secret not in srv.logs(), url
            assert secret not in served, url
        assert host in srv.logs()  # the location itself is still named
