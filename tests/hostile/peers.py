"""The hostile server family: loopback peers that answer every request badly, one way each.

A :class:`HostilePeer` is a real TCP server on 127.0.0.1 that reads whatever request
arrives (an HTTP GET of a manifest, an S3 GetObject, an etcd gateway POST, a watch
stream) and answers it with one :data:`BEHAVIOURS` entry, written byte by byte on
the socket so that nothing about the answer is polite by accident. Every surface in
:mod:`surfaces` of the ``peer`` family is pointed at one, for every behaviour.

To add a behaviour: add one function ``(Conn) -> None`` to :data:`BEHAVIOURS`. It
must end when :attr:`Conn.stop` is set (the fixture stops the server after each test).
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

GIB = 1 << 30
#: What every behaviour that trickles waits between two bytes.
TRICKLE = 0.1


@dataclass
class Conn:
    """One accepted connection: the request that came, and the socket to answer on."""

    sock: socket.socket
    head: bytes
    body: bytes
    stop: threading.Event
    peer: HostilePeer

    @property
    def path(self) -> str:
        line = self.head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        return parts[1] if len(parts) > 1 else "/"

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone (or the test ended)."""
        if self.stop.is_set():
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes, forever: bool = True) -> None:
        """One byte every :data:`TRICKLE` seconds (of ``data`` repeated, if ``forever``)."""
        while True:
            for i in range(len(data)):
                if not self.send(data[i : i + 1]) or self.stop.wait(TRICKLE):
                    return
            if not forever:
                return

    def answer(self, status: str, body: bytes, *headers: str) -> None:
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
        head += list(headers)
        self.send(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _trickle_body(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    c.trickle(b'{"x": "')


def _slow_headers(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\n")
    c.trickle(b"X-Slow: y\r\n")


def _silent(c: Conn) -> None:
    c.stop.wait(60)  # read the request, never answer


def _flood(c: Conn) -> None:
    # No Content-Length and no end: only a cap enforced while reading stops the client.
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    chunk = b"[" * (1 << 16)
    while c.send(chunk):
        pass


def _chunked_flood(c: Conn) -> None:
    c.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"10000\r\n" + b"\n" * 0x10000 + b"\r\n"  # newlines: a line reader gets lines too
    while c.send(chunk):
        pass


def _declared_2gib(c: Conn) -> None:
    # 2 GiB announced, 64 KiB sent, then silence: the length alone must be refused.
    c.send(f"HTTP/1.1 200 OK\r\nContent-Length: {2 * GIB}\r\n\r\n".encode())
    c.send(b" " * 65536)
    c.stop.wait(60)


def _header_flood(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (4 << 20) + b"\r\n\r\n")


def _many_headers(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(10_000)) + b"\r\n")


def _not_http(c: Conn) -> None:
    c.send(b"SSH-2.0-OpenSSH_9.6\r\n" + b"\x00" * 1024)


def _cut_short(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"{" * 100)


def _reset(c: Conn) -> None:
    # SO_LINGER 0: close sends RST instead of FIN.
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    c.sock.close()


def _redirect(location: Callable[[Conn], str]) -> Callable[[Conn], None]:
    def behave(c: Conn) -> None:
        c.answer("307 Temporary Redirect", b"", f"Location: {location(c)}")

    return behave


def _next_hop(c: Conn) -> str:
    """``/hop1``, ``/hop2``, ...: a chain with no loop that never ends."""
    last = c.path.rsplit("/hop", 1)[-1]
    return f"/hop{int(last) + 1 if last.isdigit() else 1}"


def _error_with_secret_echo(c: Conn) -> None:
    # An error page that echoes the request (with its credentials) back: never print it.
    c.answer("500 Internal Server Error", c.head + c.body, "Content-Type: text/plain")


#: Bodies of every wrong JSON shape (and some that are not JSON at all), sent with 200.
WRONG_JSON: dict[str, bytes] = {
    "null": b"null",
    "list": b"[]",
    "string": b'"kvs"',
    "number": b"42",
    "empty-object": b"{}",
    "kvs-string": b'{"kvs": "x"}',
    "kvs-object": b'{"kvs": {"key": "a2V5"}}',
    "kvs-numbers": b'{"kvs": [1, 2, 3]}',
    "kv-key-number": b'{"kvs": [{"key": 1, "value": 2}]}',
    "kv-not-base64": b'{"kvs": [{"key": "!!", "value": "%%%"}]}',
    "kv-revision-list": b'{"kvs": [{"key": "a2V5", "value": "e30=", "mod_revision": []}]}',
    "kv-revision-negative": b'{"kvs": [{"key": "a2V5", "value": "e30=", "mod_revision": -5}]}',
    "pointer-bad-chunks": b'{"kvs": [{"key": "a2V5", "value": "'
    + __import__("base64").b64encode(
        json.dumps(
            {"regctl": 1, "digest": "sha256:../../x", "chunks": "x", "size": 1, "sha256": "a"}
        ).encode()
    )
    + b'"}]}',
    "nan": b'{"kvs": NaN}',
    "huge-integer": b'{"kvs": [{"mod_revision": ' + b"9" * 5000 + b"}]}",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "trailing-garbage": b'{"kvs": []} {"kvs": []}',
    "invalid-utf8": b'{"kvs": "\xff\xfe"}',
    "xml-instead": b"<?xml version='1.0'?><Error><Code>NoSuchKey</Code></Error>",
}


def _wrong_json(body: bytes) -> Callable[[Conn], None]:
    def behave(c: Conn) -> None:
        c.answer("200 OK", body, "Content-Type: application/json")

    return behave


#: Behaviour name -> what the peer does with every request.
BEHAVIOURS: dict[str, Callable[[Conn], None]] = {
    "trickle-body": _trickle_body,
    "slow-headers": _slow_headers,
    "silent": _silent,
    "flood": _flood,
    "chunked-flood": _chunked_flood,
    "declared-2gib": _declared_2gib,
    "header-flood": _header_flood,
    "many-headers": _many_headers,
    "not-http": _not_http,
    "cut-short": _cut_short,
    "reset": _reset,
    "error-echoes-request": _error_with_secret_echo,
    "redirect-to-file": _redirect(lambda c: "file:///etc/passwd"),
    "redirect-to-ftp": _redirect(lambda c: "ftp://127.0.0.1/manifest.json"),
    "redirect-loop": _redirect(lambda c: c.path),
    "redirect-chain": _redirect(_next_hop),
    "redirect-other-host": _redirect(lambda c: c.peer.elsewhere + c.path),
    "redirect-backslash": _redirect(lambda c: f"http://127.0.0.1:{c.peer.port}\\@127.0.0.2/x"),
    **{f"json-{name}": _wrong_json(body) for name, body in WRONG_JSON.items()},
}


#: Behaviours that aim at memory (the suite traces peak memory for these).
FLOODS = frozenset({"flood", "chunked-flood", "declared-2gib", "header-flood", "many-headers"})


class HostilePeer:
    """A loopback server answering every request with one behaviour (see the module doc).

    :attr:`elsewhere` is the origin of a second loopback server (on 127.0.0.2) that only
    records what reaches it: a redirect must never carry credentials there.
    """

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.elsewhere_seen: list[bytes] = []
        behave = BEHAVIOURS[behaviour]
        peer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                head, body = _read_request(self.request)
                if head is None:
                    return
                peer.requests.append(head + body)
                behave(Conn(self.request, head, body, peer.stop, peer))

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]

        class Recorder(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                head, body = _read_request(self.request)
                if head is not None:
                    peer.elsewhere_seen.append(head + body)
                    with contextlib.suppress(OSError):
                        self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

        self._other = _Server(("127.0.0.2", 0), Recorder)
        self.elsewhere = f"http://127.0.0.2:{self._other.server_address[1]}"
        for server in (self._server, self._other):
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.netloc}"

    def close(self) -> None:
        self.stop.set()
        for server in (self._server, self._other):
            server.shutdown()
            server.server_close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


def _read_request(sock: socket.socket) -> tuple[bytes | None, bytes]:
    """The request head and its Content-Length body (at most 128 MiB, drained)."""
    sock.settimeout(10)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            got = sock.recv(65536)
            if not got or len(data) > 1 << 20:
                return None, b""
            data += got
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                length = min(int(value.strip()), 128 << 20)
        deadline = time.monotonic() + 10
        while len(body) < length and time.monotonic() < deadline:
            got = sock.recv(1 << 20)
            if not got:
                break
            body += got
        sock.settimeout(None)
        return head, body
    except OSError:
        return None, b""


class Recorder:
    """A loopback server on ``host`` that records every request (head and body, raw) and
    answers "nothing here": 404 to a GET, ``{"kvs": [], "token": "t"}`` to a POST (an
    empty etcd range, a successful etcd authentication). It stands in for a host a
    registry names: what arrives is what would have been sent to an attacker."""

    def __init__(self, host: str) -> None:
        self.seen: list[bytes] = []
        seen = self.seen

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = self.rfile.readline(65536)
                    if not line:
                        return
                    head += line if line != b"\n" else b"\r\n"
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = self.rfile.read(length) if length else b""
                seen.append(head + body)
                if head.startswith(b"POST"):
                    answer = json.dumps({"kvs": [], "token": "t"}).encode()
                    status = b"200 OK"
                else:
                    answer, status = b"", b"404 Not Found"
                self.wfile.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer
                )

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def credentials_seen(self, *secrets: str) -> list[bytes]:
        """Requests that carried a credential: an ``Authorization`` header, an etcd
        authentication, or one of ``secrets`` anywhere in the request."""
        marks = [s.encode() for s in secrets] + [b"/auth/authenticate"]
        return [
            r for r in self.seen if b"authorization:" in r.lower() or any(m in r for m in marks)
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
