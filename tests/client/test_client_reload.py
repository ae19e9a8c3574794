"""Hot reload and HTTP loading: swap on change, keep the last good manifest, ETag, cache."""

from __future__ import annotations

import hashlib
import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, doc, manifest_text, write_manifest
from tests.cpuwait import CpuWait

from regctl.client import (
    DigestMismatch,
    InvalidManifest,
    ManifestNotFound,
    ManifestUnavailable,
    Registry,
)


def _with_active(chat_model: str) -> dict[str, Any]:
    body = base_doc()
    body["active"]["openai"]["chat"] = chat_model
    return body


def _bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_refresh_swaps_a_new_manifest(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    reg = Registry.load(path)
    assert reg.refresh() is False  # unchanged file: not even re-read
    write_manifest(path, _with_active("openai/gpt-4o-mini"))
    _bump_mtime(path)
    assert reg.refresh() is True
    assert reg.resolve("chat").model.key == "openai/gpt-4o-mini"
    assert reg.last_error is None


def test_bad_reload_keeps_the_last_good_manifest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_manifest(tmp_path / "m.json")
    reg = Registry.load(path)
    digest = reg.digest
    text = manifest_text(base_doc())
    for bad, error in [
        (text.replace("gpt-4o-2024-08-06", "evil-model"), DigestMismatch),
        (text[:100], InvalidManifest),
    ]:
        path.write_text(bad)
        _bump_mtime(path)
        assert reg.refresh() is False
        assert isinstance(reg.last_error, error)
        assert reg.digest == digest
        assert reg.resolve("chat").upstream_id == "gpt-4o-2024-08-06"
        with pytest.raises(error):
            reg.refresh(raise_errors=True)
    assert "manifest reload failed" in caplog.text
    path.unlink()
    assert reg.refresh() is False and isinstance(reg.last_error, ManifestNotFound)
    write_manifest(path, _with_active("openai/gpt-4o-mini"))
    assert reg.refresh() is True and reg.last_error is None


def test_watch_thread_picks_up_changes_and_survives_bad_ones(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    errors: list[Exception] = []
    changes: list[str] = []
    with Registry.watch(
        path,
        0.05,
        on_error=lambda r, e: errors.append(e),
        on_change=lambda r: changes.append(r.digest),
    ) as reg:
        path.write_text("{ broken")
        _bump_mtime(path)
        _wait(lambda: errors)
        assert reg.resolve("chat").model.key == "openai/gpt-4o"
        write_manifest(path, _with_active("openai/gpt-4o-mini"))
        _bump_mtime(path)
        _wait(lambda: changes)
        assert reg.resolve("chat").model.key == "openai/gpt-4o-mini"
    assert isinstance(errors[0], InvalidManifest)


def test_lookups_stay_consistent_while_reloading(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    reg = Registry.load(path)
    a, b = _with_active("openai/gpt-4o"), _with_active("openai/gpt-4o-mini")
    stop = threading.Event()
    seen: set[str] = set()
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                m = reg.active_model("openai", "chat")
                assert m is not None
                seen.add(m.key)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(20):
        write_manifest(path, b if i % 2 == 0 else a)
        _bump_mtime(path)
        reg.refresh()
    stop.set()
    for t in threads:
        t.join()
    assert not failures
    assert seen <= {"openai/gpt-4o", "openai/gpt-4o-mini"}


def _wait(cond: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


class _Server:
    """A real HTTP server on 127.0.0.1 serving one manifest with an ETag."""

    def __init__(self) -> None:
        self.body = manifest_text(base_doc()).encode()
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict[str, str]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(dict(self.headers))
                time.sleep(owner.delay)
                if owner.status != 200:
                    self.send_response(owner.status)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(owner.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/prod.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    yield srv
    srv.close()


def test_url_load_etag_and_refresh(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "m.json"
    reg = Registry.load(server.url, cache=cache, timeout=5)
    assert reg.resolve("chat").model.key == "openai/gpt-4o" and reg.stale is None
    assert cache.read_bytes() == server.body
    assert reg.refresh() is False
    assert server.requests[-1].get("If-None-Match", "").startswith('"')
    server.body = manifest_text(_with_active("openai/gpt-4o-mini")).encode()
    assert reg.refresh() is True
    assert reg.resolve("chat").model.key == "openai/gpt-4o-mini"
    server.body = server.body.replace(b"gpt-4o-2024-08-06", b"tampered")
    assert reg.refresh() is False and isinstance(reg.last_error, DigestMismatch)
    assert reg.resolve("chat").model.key == "openai/gpt-4o-mini"


def test_url_last_known_good_cache(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "m.json"
    first = Registry.load(server.url, cache=cache)
    # A new process with the same cache: a 304 serves the cached copy.
    again = Registry.load(server.url, cache=cache)
    assert again.digest == first.digest and server.requests[-1].get("If-None-Match")
    server.status = 503
    stale = Registry.load(server.url, cache=cache)
    assert stale.digest == first.digest and "HTTP 503" in (stale.stale or "")
    server.status = 404
    with pytest.raises(ManifestNotFound, match="404"):
        Registry.load(server.url, cache=cache)
    url = server.url
    server.close()
    down = Registry.load(url, cache=cache, timeout=2)
    assert down.digest == first.digest and down.stale
    with pytest.raises(ManifestUnavailable, match="no cached copy"):
        Registry.load(url, cache=False, timeout=2)


def test_url_timeout(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "m.json"
    good = Registry.load(server.url, cache=cache)
    server.delay = 1.5
    start = time.monotonic()
    with CpuWait() as waited:  # a busy machine's share of the time (tests/cpuwait.py)
        with pytest.raises(ManifestUnavailable, match=r"[Tt]ime"):
            Registry.load(server.url, cache=False, timeout=0.3)
        slow = Registry.load(server.url, cache=cache, timeout=0.3)
    # Both gave up after the timeout (the server answers after 1.5 s).
    assert time.monotonic() - start < 1.4 + waited.seconds
    assert slow.digest == good.digest and "time" in (slow.stale or "").lower()


def test_url_tampered_first_load_fails_closed(server: _Server, tmp_path: Path) -> None:
    server.body = server.body.replace(b"gpt-4o-2024-08-06", b"tampered")
    with pytest.raises(DigestMismatch):
        Registry.load(server.url, cache=tmp_path / "c.json")
    assert not (tmp_path / "c.json").exists()


def test_corrupt_cache_is_refetched(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "m.json"
    Registry.load(server.url, cache=cache)
    cache.write_bytes(b"{ corrupted")
    reg = Registry.load(server.url, cache=cache)
    assert reg.resolve("chat").model.key == "openai/gpt-4o"
    assert "If-None-Match" not in server.requests[-1]


def test_env_switch_via_different_document(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", doc(environment=None))
    assert Registry.load(f"file:{path}").environment is None


def test_url_cache_given_as_a_folder_keeps_last_known_good(server: _Server, tmp_path: Path) -> None:
    folder = tmp_path / "cache-dir"
    folder.mkdir()
    first = Registry.load(server.url, cache=folder)
    assert [p.suffix for p in folder.iterdir() if p.suffix == ".json"] == [".json"]
    server.status = 503
    stale = Registry.load(server.url, cache=folder)
    assert stale.digest == first.digest and "HTTP 503" in (stale.stale or "")
