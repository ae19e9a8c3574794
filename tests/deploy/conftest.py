"""Fixtures for plan/apply tests: sealed manifests and a real HTTP target server."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class TargetServer:
    """A small HTTP target: GET/PUT one manifest with ETag / If-Match / If-None-Match.

    ``fail`` makes the next N requests answer 500 (``fail = -1``: always);
    ``requests`` records (method, headers) of what it was sent.
    """

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.fail = 0
        self.honour_etag = True
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _failing(self) -> bool:
                with server.lock:
                    server.requests.append((self.command, dict(self.headers)))
                    if server.fail:
                        server.fail -= 1 if server.fail > 0 else 0
                        # Echo the Authorization header: regctl must never show bodies.
                        body = f"boom {self.headers.get('Authorization')}".encode()
                        self.send_response(500)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return True
                return False

            def do_GET(self) -> None:
                if self._failing():
                    return
                with server.lock:
                    body = server.body
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                if server.honour_etag:
                    self.send_header("ETag", server.etag())
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self._failing():
                    return
                with server.lock:
                    match = self.headers.get("If-Match")
                    none_match = self.headers.get("If-None-Match")
                    ok = True
                    if match is not None:
                        ok = server.body is not None and match == server.etag()
                    if none_match == "*" and server.body is not None:
                        ok = False
                    if ok:
                        server.body = data
                self.send_response(204 if ok else 412)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/regctl/prod.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body or b"").hexdigest()[:16] + '"'


@pytest.fixture
def http_target() -> Iterator[TargetServer]:
    server = TargetServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/manifest.json"
