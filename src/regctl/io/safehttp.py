"""One bounded HTTP exchange: a total deadline, a body cap, redirects only to http(s).

Standard library only (the runtime client fetches manifests with it; the HTTP
deploy target uses it too). Socket timeouts bound each ``recv``, not the whole
request: a server that trickles one byte a second keeps every read "alive" and
stretches a 10 s timeout to hours. Here a watchdog timer shuts the socket down
when the total deadline passes, whatever phase the exchange is in (headers or
body), and the body is read in chunks against a size cap. A redirect is followed
only to ``http://`` or ``https://`` (never ``file:``, ``ftp:``...), at most
:data:`MAX_REDIRECTS` times, and only when the caller allows it.

Errors are :class:`HttpError` subclasses with one-line messages that name the
URL without its query string (it may hold a credential) and never a body.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "BadRedirect",
    "BodyTooLarge",
    "ConnectFailed",
    "HttpError",
    "Response",
    "Timeout",
    "redact_url",
    "request",
]

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


class HttpError(Exception):
    """The exchange failed; ``str()`` is one line with no credential and no body."""


class Timeout(HttpError):
    """The whole exchange took longer than its deadline."""


class BodyTooLarge(HttpError):
    """The answer's body is over the cap."""


class BadRedirect(HttpError):
    """A redirect to a scheme other than http(s), a loop, or too many hops."""


class ConnectFailed(HttpError):
    """No connection (refused, unreachable, TLS failure, connection dropped)."""


@dataclass
class Response:
    """A complete answer: status, headers (lower-case names), the whole body, the final URL."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""


def redact_url(url: str) -> str:
    """``url`` without user info and query string: safe to print."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "?…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", "")) + query


class _Watchdog:
    """Shuts the connection's socket down at the deadline (unblocks any pending recv).

    All watchdogs share one daemon thread (:class:`_Reaper`): a watcher polling every
    second would otherwise start a thread per request, which costs more CPU than the
    request itself.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.cancelled = False
        self.conn: http.client.HTTPConnection | None = None
        _REAPER.add(time.monotonic() + max(seconds, 0.0), self)

    def fire(self) -> None:
        if self.cancelled:
            return
        self.fired = True
        conn = self.conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.cancelled = True  # the reaper drops it when its deadline comes


class _Reaper:
    """One thread that fires watchdogs at their deadlines (a heap ordered by deadline)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, _Watchdog]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, when: float, dog: _Watchdog) -> None:
        with self._cv:
            heapq.heappush(self._heap, (when, next(self._seq), dog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="regctl-http-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is dog:
                self._cv.notify()  # an earlier deadline than the one being waited for

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                when, _, dog = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._cv.wait(delay)
                    continue
                heapq.heappop(self._heap)
            dog.fire()


_REAPER = _Reaper()


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    follow_redirects: bool = False,
    keep_alive: bool = False,
) -> Response:
    """Send one request (following http(s) redirects if asked) and read the whole answer.

    ``timeout`` is the total deadline in seconds for everything, redirects included.
    A 3xx answer is returned as is when ``follow_redirects`` is false. ``keep_alive``
    keeps the connection open for the next request to the same host (a watcher polling
    every second saves a TCP connect and close per poll); a kept connection the server
    has closed meanwhile is replaced once, transparently.
    """
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    current = url
    while True:
        resp = _once(method, current, headers or {}, body, deadline, timeout, max_bytes, keep_alive)
        if not follow_redirects or resp.status not in _REDIRECTS:
            return resp
        location = resp.headers.get("location")
        if not location:
            return resp
        target = urllib.parse.urljoin(current, location)
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            raise BadRedirect(
                f"{redact_url(url)} redirects to a {scheme or 'relative'}: URL;"
                " only http(s) redirects are followed"
            )
        seen.append(current)
        if target in seen or len(seen) > MAX_REDIRECTS:
            raise BadRedirect(f"{redact_url(url)}: redirect loop or more than {MAX_REDIRECTS} hops")
        current = target
        if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
            method, body = "GET", None


def _once(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    keep_alive: bool = False,
) -> Response:
    if keep_alive:
        try:
            parts = urllib.parse.urlsplit(url)
            key = (parts.scheme, parts.hostname or "", parts.port)
        except ValueError:
            key = None
        kept = _POOL.take(key) if key is not None else None
        if kept is not None:
            try:
                return _exchange(
                    method, url, headers, body, deadline, timeout, max_bytes, kept, key
                )
            except ConnectFailed:
                pass  # the server closed the kept connection: once more on a new one
        return _exchange(method, url, headers, body, deadline, timeout, max_bytes, None, key)
    return _exchange(method, url, headers, body, deadline, timeout, max_bytes, None, None)


class _Pool:
    """At most one idle kept-alive connection per (scheme, host, port)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}

    def take(self, key: tuple[str, str, int | None]) -> http.client.HTTPConnection | None:
        with self._lock:
            return self._idle.pop(key, None)

    def give(self, key: tuple[str, str, int | None], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            old = self._idle.pop(key, None)
            self._idle[key] = conn
        if old is not None:
            old.close()


_POOL = _Pool()


def _exchange(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    kept: http.client.HTTPConnection | None,
    pool_key: tuple[str, str, int | None] | None,
) -> Response:
    shown = redact_url(url)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise HttpError(f"{shown}: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"{shown}: only http(s) URLs with a host are supported")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout(f"{shown}: timed out after {timeout:g} s")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kept if kept is not None else cls(parts.hostname, port, timeout=min(remaining, timeout))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    dog = _Watchdog(remaining)
    keep = False
    try:
        if kept is None:
            conn.connect()
        elif conn.sock is not None:
            conn.sock.settimeout(min(remaining, timeout))
        dog.conn = conn
        if dog.fired:  # fired before it knew the socket
            raise Timeout(f"{shown}: timed out after {timeout:g} s")
        conn.request(method, path, body=body, headers=dict(headers))
        raw = conn.getresponse()
        got_headers = {k.lower(): v for k, v in raw.getheaders()}
        length = got_headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise BodyTooLarge(
                f"{shown}: answer of {int(length):,} bytes is over the {max_bytes:,} byte limit"
            )
        chunks: list[bytes] = []
        total = 0
        if method != "HEAD":
            while True:
                chunk = raw.read1(_CHUNK) if hasattr(raw, "read1") else raw.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise BodyTooLarge(f"{shown}: answer is over the {max_bytes:,} byte limit")
                chunks.append(chunk)
        if dog.fired:  # a shut-down socket reads as a short body: never return it
            raise Timeout(f"{shown}: timed out after {timeout:g} s")
        if pool_key is not None and not raw.will_close and not raw.isclosed():
            raw.read()  # at the end of the body already: marks the answer complete
        keep = pool_key is not None and not raw.will_close and raw.isclosed()
        return Response(raw.status, raw.reason or "", got_headers, b"".join(chunks), url)
    except HttpError:
        raise
    except TimeoutError:
        raise Timeout(f"{shown}: timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if dog.fired:
            raise Timeout(f"{shown}: timed out after {timeout:g} s") from None
        if isinstance(exc, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(exc, socket.gaierror):
            reason = "host not found"
        else:
            reason = type(exc).__name__
        raise ConnectFailed(f"{shown}: {reason}") from None
    finally:
        dog.cancel()
        if keep and pool_key is not None and not dog.fired:
            _POOL.give(pool_key, conn)
        else:
            conn.close()
