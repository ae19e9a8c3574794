"""A loopback OpenAI-compatible server that fails on cue, run as its own process.

``python tests/flaky_upstream.py PORT`` serves ``POST /<name>/v1/chat/completions`` for
any ``<name>`` (one upstream per provider of a test registry). What each answer is comes
from a script set over HTTP:

- ``POST /_cue/<name>`` with a JSON list of statuses (``[500, 500, 200]``) queues the
  next answers of ``<name>``; an entry may be ``{"status": 429, "retry_after": 2}``.
  When the queue is empty, ``<name>`` answers with its default (``POST /_default/<name>``
  with a status; 200 unless set);
- ``GET /_hits`` lists every request served as ``[name, status]`` in order;
  ``POST /_reset`` forgets queues, defaults and hits.

A 200 is a chat completion with ``usage`` (12 prompt tokens, 5 completion tokens); a
failure is an OpenAI-shaped error body with that status.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_lock = threading.Lock()
_queues: dict[str, list[Any]] = {}
_defaults: dict[str, Any] = {}
_hits: list[list[Any]] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw else None

    def do_GET(self) -> None:
        if self.path == "/_hits":
            with _lock:
                self._send(200, list(_hits))
        elif self.path == "/_ready":
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        body = self._body()
        parts = self.path.strip("/").split("/")
        if parts[0] == "_cue":
            with _lock:
                _queues.setdefault(parts[1], []).extend(body)
            self._send(200, {"ok": True})
            return
        if parts[0] == "_default":
            with _lock:
                _defaults[parts[1]] = body
            self._send(200, {"ok": True})
            return
        if parts[0] == "_reset":
            with _lock:
                _queues.clear()
                _defaults.clear()
                _hits.clear()
            self._send(200, {"ok": True})
            return
        name = parts[0]
        with _lock:
            queue = _queues.get(name) or []
            cue = queue.pop(0) if queue else _defaults.get(name, 200)
            spec = cue if isinstance(cue, dict) else {"status": cue}
            status = int(spec["status"])
            _hits.append([name, status])
        if status == 200:
            model = (body or {}).get("model", "unknown")
            self._send(200, {
                "id": f"chatcmpl-{len(_hits)}", "object": "chat.completion", "created": 0,
                "model": model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": f"hello from {name}"}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
            })  # fmt: skip
            return
        headers = {}
        if spec.get("retry_after") is not None:
            headers["Retry-After"] = str(spec["retry_after"])
        kind = "rate_limit_exceeded" if status == 429 else "server_error"
        self._send(status, {"error": {"message": f"{name} failed on cue", "type": kind,
                                      "code": status}}, headers)  # fmt: skip


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
