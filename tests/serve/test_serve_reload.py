"""Hot reload over a real server: new manifests swap in, bad ones never do."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli
from tests.serve.serve_fixtures import Server, compile_example, free_port, variant, write

ACTIVE = "/v1/providers/openai/active"


def _active_key(server: Server) -> str:
    return str(server.get(ACTIVE).json()["model"]["key"])


def _metric(server: Server, name: str) -> int:
    for line in server.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_reload_swaps_in_a_new_manifest_and_keeps_it_over_a_bad_one(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    assert _active_key(server) == "openai/gpt-4o"
    new = variant(doc, "openai/gpt-4o-mini")
    write(path, new)
    server.wait_for(lambda: _active_key(server) == "openai/gpt-4o-mini")
    assert server.get(ACTIVE).headers["x-regctl-digest"] == new["digest"]
    assert server.get("/v1/manifest").headers["etag"] == f'"{new["digest"]}"'
    assert _metric(server, "regctl_manifest_reloads_total") == 2

    # Tampered (digest no longer matches), then truncated: both refused.
    text = path.read_text(encoding="utf-8")
    for bad in (text.replace('"gpt-4o-mini"', '"evil-model"', 1), text[:200]):
        failures = _metric(server, "regctl_manifest_reload_failures_total")
        path.write_text(bad, encoding="utf-8")
        server.wait_for(
            lambda f=failures: _metric(server, "regctl_manifest_reload_failures_total") > f
        )
        assert _active_key(server) == "openai/gpt-4o-mini"
        ready = server.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["digest"] == new["digest"] and ready.json()["last_error"]
        metrics = server.get("/metrics").text
        assert f'regctl_manifest_info{{digest="{new["digest"]}"' in metrics
    assert "manifest reload failed" in server.logs()


def test_not_ready_before_the_first_good_manifest(tmp_path: Path) -> None:
    path = tmp_path / "later.json"
    srv = Server(str(path), tmp_path, ready=False)
    try:
        assert srv.get("/healthz").status_code == 200
        # "first load in progress" until the first attempt ends (slow on a loaded
        # machine), then the attempt's own error
        srv.wait_for(
            lambda: (
                srv.get("/readyz").json().get("error") not in (None, "", "first load in progress")
            )
        )
        r = srv.get("/readyz")
        assert r.status_code == 503 and "not found" in r.json()["error"]
        r = srv.get(ACTIVE)
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
        assert srv.get("/v1/manifest").status_code == 503
        assert "regctl_manifest_ready 0" in srv.get("/metrics").text
        doc = compile_example(tmp_path / "built.json")
        write(path, doc)
        srv.wait_for(lambda: srv.get("/readyz").status_code == 200)
        assert srv.get("/readyz").json()["digest"] == doc["digest"]
        assert _active_key(srv) == "openai/gpt-4o"
    finally:
        assert srv.stop() == 0


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **kw: _Files(*a, directory=str(root), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


def test_serves_a_manifest_from_an_http_url_and_reloads_it(
    tmp_path: Path, http_dir: tuple[str, Path]
) -> None:
    base, root = http_dir
    doc = compile_example(root / "prod.json")
    srv = Server(f"{base}/prod.json", tmp_path, REGCTL_CACHE_DIR=str(tmp_path / "cache"))
    try:
        srv.wait_for(lambda: srv.get("/readyz").status_code == 200)
        assert srv.get("/readyz").json()["digest"] == doc["digest"]
        write(root / "prod.json", variant(doc, "openai/gpt-4o-mini"))
        srv.wait_for(lambda: _active_key(srv) == "openai/gpt-4o-mini")
    finally:
        assert srv.stop() == 0


def test_port_in_use_is_a_one_line_error(server: Server, manifest: tuple[Path, Any]) -> None:
    done = run_cli(
        "serve", "--manifest", str(manifest[0]), "--port", str(server.port), "--format", "text"
    )
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{server.port}" in done.stderr
    assert "Traceback" not in done.stderr
