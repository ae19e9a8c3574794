"""uvicorn's httptools connection, with request limits and a fast path for precomputed answers.

uvicorn alone buffers a request head of any size, never times out a head that
arrives slowly, and accepts connections until the process runs out of descriptors
(then every client is locked out). nginx's answers are ``large_client_header_buffers``,
``client_header_timeout``, ``keepalive_timeout`` and ``worker_connections`` (idle
keep-alive connections closed first to make room); this module gives serve the same:

- a request head larger than ``max_head`` is answered 431 and the connection closed,
  after at most one read past the limit (the parser never holds more);
- a head not complete ``head_timeout`` seconds after its first byte (or after the
  connection opened) ends the connection (408), whatever trickles in meanwhile;
- past ``max_connections``, a new connection closes an idle keep-alive one, else the
  one whose head has been arriving longest, else it is refused (503): half-sent
  requests cannot lock other clients out;
- a body (the API is GET only) larger than ``max_head`` is answered 413.

A GET whose target is in the serving snapshot's table (:attr:`Snapshot.fast`) is
answered here with the table's bytes: one dict lookup, no ASGI cycle. The bytes are
the ones the app sends for the same answer (same builder, same headers; a test
compares them). Anything else goes to the app unchanged.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from regctl.serve.answers import Answer
from regctl.serve.limits import Limits

if TYPE_CHECKING:
    from regctl.serve.metrics import AccessLog, Metrics
    from regctl.serve.watcher import ManifestWatcher, Snapshot


class Shared:
    """What every connection of this process uses: limits, the watcher, metrics, access log."""

    def __init__(
        self,
        limits: Limits,
        watcher: ManifestWatcher,
        metrics: Metrics,
        access: AccessLog | None,
        cap: int,
    ) -> None:
        self.limits = limits
        self.watcher = watcher
        self.metrics = metrics
        self.access = access
        self.cap = cap
        self._snap: Snapshot | None = None
        self._wire: dict[bytes, tuple[bytes, str, str, str]] = {}
        self._sweeping = False
        self._dh_src: object = None
        self._dh = b""

    def default_headers(self, server_state: Any) -> bytes:
        """uvicorn's ``date`` (and configured) headers, encoded once per change (once a second)."""
        src = server_state.default_headers
        if src is not self._dh_src:
            self._dh_src = src
            self._dh = b"".join(name + b": " + value + b"\r\n" for name, value in src)
        return self._dh

    def wire(self, snap: Snapshot, target: bytes) -> tuple[bytes, str, str, str] | None:
        """The response bytes after the status line and ``date`` for ``target``, or ``None``."""
        if snap is not self._snap:
            self._snap, self._wire = snap, {}
        found = self._wire.get(target)
        if found is None:
            answer = snap.fast.get(target)
            if answer is None:
                return None
            path, _, query = target.decode("ascii").partition("?")
            found = (encode(answer), answer.route, path, query)
            self._wire[target] = found
        return found


def encode(answer: Answer) -> bytes:
    """Headers and body of an answer, as Starlette and uvicorn write them for the app."""
    head = b""
    if answer.digest is not None:
        head += b"x-regctl-digest: " + answer.digest.encode("latin-1") + b"\r\n"
    if answer.language is not None:
        head += b"content-language: " + answer.language.encode("latin-1") + b"\r\n"
    head += b"content-length: " + str(len(answer.body)).encode() + b"\r\n"
    head += b"content-type: application/json\r\n\r\n"
    return head + answer.body


#: Pipelined requests a connection may have waiting behind the one being answered.
MAX_PIPELINE = 32

# uvicorn's own handlers, called directly: one call less per request than super().
_on_headers_complete = HttpToolsProtocol.on_headers_complete
_data_received = HttpToolsProtocol.data_received

STATE: Shared | None = None  # set once per process by serve.runner before serving


def _simple(status: int, text: str) -> bytes:
    body = text.encode("ascii")
    return (
        STATUS_LINE[status]
        + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
        + b"content-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


_431 = _simple(431, "Request header fields too large")
_408 = _simple(408, "Request timeout")
_413 = _simple(413, "Request body too large")
_503 = _simple(503, "Too many connections")


class TableProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that answers targets of the snapshot's table itself.

    ``guarded`` (set by :class:`GuardedProtocol`) turns the request limits on; their
    per-request checks sit in this class's ``on_headers_complete`` so that they cost
    no extra call per request.
    """

    guarded = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert STATE is not None, "serve.runner sets protocol.STATE before serving"
        self.shared: Shared = STATE
        self.fast = False
        self.peer = ""
        self.head_bytes = 0
        self.head_since: float | None = None  # loop time a pending head started
        self.body_bytes = 0
        self.ended = False
        self.max_head = self.shared.limits.max_head

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.peer = f"{self.client[0]}:{self.client[1]}" if self.client else ""

    def on_headers_complete(self) -> None:
        if self.guarded:
            self.head_since = None
            if (
                self.head_bytes > self.max_head or self.ended or len(self.pipeline) >= MAX_PIPELINE
            ) and not self._head_allowed():
                self.fast = True  # the parser's remaining callbacks for it are ignored
                return
            self.head_bytes = 0
            self.body_bytes = 0
        if self._answer_from_table():
            return
        self.fast = False
        _on_headers_complete(self)

    def _head_allowed(self) -> bool:
        return True  # no limits (GuardedProtocol checks them)

    def on_body(self, body: bytes) -> None:
        if not self.fast:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.fast:
            self.fast = False
            return
        super().on_message_complete()

    def _answer_from_table(self) -> bool:
        shared = self.shared
        snap = shared.watcher.snapshot
        if snap is None:
            return False
        parser = self.parser
        if parser.get_method() != b"GET" or parser.get_http_version() != "1.1":
            return False
        if not parser.should_keep_alive() or parser.should_upgrade() or self.pipeline:
            return False
        if self.cycle is not None and not self.cycle.response_complete:
            return False
        if self.flow.write_paused:
            # The client is not reading its answers: the app's cycle waits for it
            # (and pipelined requests pause reading) instead of this buffering more.
            return False
        for name, _value in self.headers:
            if name == b"accept-language":  # the app picks the language
                return False
        start = time.perf_counter()
        found = shared.wire(snap, self.url)
        if found is None:
            return False
        wire, route, path, query = found
        self.fast = True
        self.transport.write(STATUS_LINE[200] + shared.default_headers(self.server_state) + wire)
        shared.metrics.count(route, 200)
        if shared.access is not None:
            shared.access.write(
                {
                    "method": "GET",
                    "path": path,
                    "query": query,
                    "route": route,
                    "status": 200,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "client": self.peer or None,
                }
            )
        self.on_response_complete()
        return True


class GuardedProtocol(TableProtocol):
    """:class:`TableProtocol` under :class:`Limits` (the protocol ``regctl serve`` runs)."""

    guarded = True

    # -- connections ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_since = self.loop.time()
        shared = self.shared
        if not shared._sweeping:
            shared._sweeping = True
            self.loop.call_later(_period(shared.limits), _sweep, self.loop, self.connections)
        if len(self.connections) > shared.cap:
            self._make_room()

    def _make_room(self) -> None:
        victim: GuardedProtocol | None = None
        oldest = float("inf")
        for conn in self.connections:
            if conn is self or not isinstance(conn, GuardedProtocol):
                continue
            if conn.transport.is_closing():
                continue
            if conn.idle():
                victim = conn
                break
            if conn.head_since is not None and conn.head_since < oldest:
                oldest, victim = conn.head_since, conn
        if victim is None:
            self.shared.metrics.refuse("refused")
            self._end(_503)
            return
        self.shared.metrics.refuse("evicted")
        victim.transport.abort()
        self.connections.discard(victim)

    def idle(self) -> bool:
        """Between requests of a keep-alive connection (nothing in flight, nothing arriving)."""
        return (
            self.head_since is None
            and (self.cycle is None or self.cycle.response_complete)
            and not self.pipeline
        )

    def _end(self, response: bytes) -> None:
        self.head_since = None
        self.ended = True
        if not self.transport.is_closing():
            if response:
                self.transport.write(response)
            self.transport.close()
        self.connections.discard(self)

    def timed_out(self) -> None:
        """The head took longer than ``head_timeout``: 408 if it had started, then close."""
        self.shared.metrics.refuse("head_timeout")
        if self.head_bytes:
            self._end(_408)
        else:
            self.head_since = None
            self.transport.close()

    # -- bytes in ---------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.head_since is None:  # bytes after an idle gap: a head starts arriving
            self.head_since = self.loop.time()
        # Bytes since the last complete head: an over-estimate of the head arriving
        # (a read may also hold a body), so it only triggers the exact measure.
        self.head_bytes += len(data)
        _data_received(self, data)
        if self.head_bytes > self.max_head and self.head_since is not None and not self.ended:
            self.shared.metrics.refuse("head_too_large")
            self._end(_431)

    def _head_allowed(self) -> bool:
        """A complete head that may break a limit (rare: the checks above said maybe)."""
        if self.ended:
            return False  # a connection being ended: the rest of its read is dropped
        if len(self.pipeline) >= MAX_PIPELINE:
            # uvicorn queues every pipelined request of a read (and reads on as each
            # answer completes): a client that sends without reading would grow it
            # without bound.
            self.shared.metrics.refuse("pipeline_too_deep")
            self._end(b"")
            return False
        # The whole head may have come in one read: measure the head itself (reads
        # can also hold pipelined requests after it).
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.max_head:
            self.shared.metrics.refuse("head_too_large")
            self._end(_431)
            return False
        return True

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.max_head:
            self.shared.metrics.refuse("body_too_large")
            self._end(_413)
            return
        super().on_body(body)


def _period(limits: Limits) -> float:
    return max(0.05, min(1.0, limits.head_timeout / 4))


def _sweep(loop: asyncio.AbstractEventLoop, connections: set[Any]) -> None:
    """Every ``head_timeout / 4`` (at most 1 s): end connections whose head is overdue."""
    shared = STATE
    if shared is None:
        return
    deadline = loop.time() - shared.limits.head_timeout
    for conn in list(connections):
        since = getattr(conn, "head_since", None)
        if since is not None and since < deadline and not conn.transport.is_closing():
            conn.timed_out()
    if connections:
        loop.call_later(_period(shared.limits), _sweep, loop, connections)
    else:
        shared._sweeping = False
