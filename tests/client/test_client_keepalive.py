"""A watcher polling an HTTP source keeps one connection; a closed one is replaced."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from client_fixtures import base_doc, manifest_text

from regctl.client import Registry

BODY = manifest_text(base_doc()).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: ClassVar[list[int]] = [0]  # TCP connections accepted (one handler each)
    close_next: ClassVar[bool] = False

    def setup(self) -> None:
        type(self).connections[0] += 1
        super().setup()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("Content-Length", "0")
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
        self.send_header("ETag", '"v1"')
        if type(self).close_next:
            type(self).close_next = False
            self.close_connection = True  # the server drops this connection after answering
        self.end_headers()
        if self.headers.get("If-None-Match") != '"v1"':
            self.wfile.write(BODY)


def test_polls_reuse_one_connection_and_survive_a_closed_one() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/m.json"
        reg = Registry.load(url, cache=False)
        for _ in range(5):
            assert reg.refresh(raise_errors=True) is False
        assert _Handler.connections[0] == 1, _Handler.connections
        _Handler.close_next = True
        reg.refresh(raise_errors=True)  # answered, then the server closes the connection
        reg.refresh(raise_errors=True)  # the kept connection is dead: a new one, no error
        assert reg.last_error is None and _Handler.connections[0] == 2, _Handler.connections
    finally:
        server.shutdown()
        server.server_close()
