"""One bounded HTTP exchange: a total deadline, a body cap, redirects only to http(s).

Standard library only (the runtime client fetches manifests with it; the deploy
targets and the S3 and etcd adapters send through it too). Every URL is parsed by
:mod:`regctl.io.urls`, and the connection goes to the :class:`~regctl.io.urls.Endpoint`'s
host and port: the same parsed result a policy decided on. A watchdog
(:mod:`regctl.io.deadline`) shuts the socket down when the total deadline passes,
whatever phase the exchange is in (connect, send, headers or body), and the body is
read in chunks against a size cap (a ``Content-Length`` over the cap is refused
before reading). A redirect is followed only when the caller allows it, only to
``http://`` or ``https://`` (never ``file:``, never from https down to http), at most
:data:`MAX_REDIRECTS` times; a redirect to another origin drops the credential
headers (``Authorization``, ``Cookie``, ``Proxy-Authorization``), as curl does.

Errors are :class:`HttpError` subclasses with one-line messages that name the URL
without user info or query string (either may hold a credential) and never a body.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping

from regctl.io import urls
from regctl.io.deadline import Watchdog

__all__ = [
    "BadAnswer",
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
#: Headers that never follow a redirect to another origin.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class HttpError(Exception):
    """The exchange failed; ``str()`` is one line with no credential and no body."""


class Timeout(HttpError):
    """The whole exchange took longer than its deadline."""


class BodyTooLarge(HttpError):
    """The answer's body is over the cap."""


class BadRedirect(HttpError):
    """A redirect to a scheme other than http(s), a downgrade, a loop, or too many hops."""


class ConnectFailed(HttpError):
    """No connection (refused, unreachable, TLS failure, connection dropped)."""


class BadAnswer(HttpError):
    """The server's answer is not HTTP (a garbled status line, headers too long or too many)."""


class Response:
    """A complete answer: status, headers (lower-case names), the whole body, the final URL.

    A plain class, not a dataclass: ``dataclasses`` costs 15 ms to import, on every
    network load's path.
    """

    __slots__ = ("body", "headers", "reason", "status", "url")

    def __init__(
        self,
        status: int,
        reason: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        url: str = "",
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers if headers is not None else {}
        self.body = body
        self.url = url

    def __repr__(self) -> str:
        return f"Response({self.status}, {len(self.body)} bytes)"


def redact_url(url: str) -> str:
    """``url`` without user info and query string: safe to print."""
    return urls.redact(url)


def endpoint(url: str | urls.Endpoint) -> urls.Endpoint:
    """``url`` parsed by :func:`regctl.io.urls.parse` (user info allowed, never sent)."""
    if isinstance(url, urls.Endpoint):
        return url
    try:
        return urls.parse(url, allow_userinfo=True)
    except urls.BadUrl as exc:
        raise HttpError(f"{urls.redact(url)}: {exc}") from None


def request(
    method: str,
    url: str | urls.Endpoint,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
    deadline: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    follow_redirects: bool = False,
    keep_alive: bool = False,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request (following http(s) redirects if asked) and read the whole answer.

    ``timeout`` is the total deadline in seconds for everything, redirects included;
    ``deadline`` (a ``time.monotonic()`` value) ends it earlier when several exchanges
    share one budget. A 3xx answer is returned as is when ``follow_redirects`` is false.
    ``keep_alive`` keeps the connection open for the next request to the same origin
    (a watcher polling every second saves a TCP connect and close per poll); a kept
    connection the server has closed meanwhile is replaced once, transparently.
    """
    ep = first = endpoint(url)
    end = time.monotonic() + timeout
    if deadline is not None:
        end = min(end, deadline)
    sent = dict(headers or {})
    seen: list[str] = []
    while True:
        resp = _once(method, ep, sent, body, end, timeout, max_bytes, keep_alive, ssl_context)
        if not follow_redirects or resp.status not in _REDIRECTS:
            return resp
        location = resp.headers.get("location")
        if not location:
            return resp
        seen.append(ep.url)
        nxt = _redirect(ep, location, shown=first.shown)
        if nxt.url in seen or len(seen) > MAX_REDIRECTS:
            raise BadRedirect(f"{first.shown}: redirect loop or more than {MAX_REDIRECTS} hops")
        if not nxt.same_origin(ep):
            sent = {k: v for k, v in sent.items() if k.lower() not in _CREDENTIAL_HEADERS}
        ep = nxt
        if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
            method, body = "GET", None


def _redirect(current: urls.Endpoint, location: str, *, shown: str) -> urls.Endpoint:
    """The endpoint a ``Location`` names, resolved against ``current`` and parsed strictly."""
    if location.startswith("//"):
        location = f"{current.scheme}:{location}"
    elif location.startswith("/"):
        location = current.origin + location
    elif location.startswith("?"):
        location = current.origin + (current.path or "/") + location
    elif not _ABSOLUTE.match(location):
        folder = (current.path or "/").rsplit("/", 1)[0]
        location = f"{current.origin}{folder}/{location}"
    scheme = location.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise BadRedirect(
            f"{shown} redirects to a {scheme}: URL; only http(s) redirects are followed"
        )
    try:
        nxt = urls.parse(location)
    except urls.BadUrl as exc:
        raise BadRedirect(f"{shown} redirects to a URL regctl refuses: {exc}") from None
    if current.scheme == "https" and nxt.scheme == "http":
        raise BadRedirect(f"{shown} redirects from https to plain http; not followed")
    return nxt


_PoolKey = tuple[str, str, int, int]


def _once(
    method: str,
    ep: urls.Endpoint,
    headers: Mapping[str, str],
    body: bytes | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    keep_alive: bool,
    ctx: ssl.SSLContext | None,
) -> Response:
    if not keep_alive:
        return _exchange(method, ep, headers, body, deadline, timeout, max_bytes, None, None, ctx)
    key: _PoolKey = (ep.scheme, ep.host, ep.port, id(ctx) if ctx is not None else 0)
    kept = _POOL.take(key)
    if kept is not None:
        try:
            return _exchange(
                method, ep, headers, body, deadline, timeout, max_bytes, kept, key, ctx
            )
        except ConnectFailed:
            pass  # the server closed the kept connection: once more on a new one
    return _exchange(method, ep, headers, body, deadline, timeout, max_bytes, None, key, ctx)


class _Pool:
    """At most one idle kept-alive connection per origin (and TLS context)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[_PoolKey, http.client.HTTPConnection] = {}

    def take(self, key: _PoolKey) -> http.client.HTTPConnection | None:
        with self._lock:
            return self._idle.pop(key, None)

    def give(self, key: _PoolKey, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            old = self._idle.pop(key, None)
            self._idle[key] = conn
        if old is not None:
            old.close()


_POOL = _Pool()


def connection(
    ep: urls.Endpoint, timeout: float, ctx: ssl.SSLContext | None = None
) -> http.client.HTTPConnection:
    """An unconnected ``http.client`` connection to exactly ``ep``'s host and port."""
    if ep.scheme == "https":
        return http.client.HTTPSConnection(
            ep.host, ep.port, timeout=timeout, context=ctx or _default_context()
        )
    return http.client.HTTPConnection(ep.host, ep.port, timeout=timeout)


_DEFAULT_CTX: list[ssl.SSLContext] = []


def _default_context() -> ssl.SSLContext:
    if not _DEFAULT_CTX:  # loading the system's CA store costs ~10 ms: once per process
        _DEFAULT_CTX.append(ssl.create_default_context())
    return _DEFAULT_CTX[0]


def failure(exc: BaseException, shown: str, timeout: float, fired: bool) -> HttpError:
    """The :class:`HttpError` for an exception raised by ``http.client`` or the socket."""
    if fired or isinstance(exc, TimeoutError):
        return Timeout(f"{shown}: timed out after {timeout:g} s")
    if isinstance(exc, http.client.LineTooLong):
        return BadAnswer(f"{shown}: the answer has a header line over 64 KiB")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectFailed(f"{shown}: connection refused")
    if isinstance(exc, socket.gaierror):
        return ConnectFailed(f"{shown}: host not found")
    if isinstance(exc, ValueError):  # a header value http.client refuses to send
        return HttpError(f"{shown}: the request is not valid HTTP ({exc.__class__.__name__})")
    if isinstance(exc, http.client.RemoteDisconnected):
        return ConnectFailed(f"{shown}: the server closed the connection without an answer")
    if isinstance(exc, ConnectionResetError):
        return ConnectFailed(f"{shown}: the server reset the connection")
    if isinstance(exc, http.client.IncompleteRead):
        return ConnectFailed(f"{shown}: the answer was cut short")
    if isinstance(exc, ssl.SSLError):
        return ConnectFailed(f"{shown}: TLS failed ({exc.reason or type(exc).__name__})")
    if isinstance(exc, OSError):
        return ConnectFailed(f"{shown}: {exc.strerror or type(exc).__name__}")
    if isinstance(exc, http.client.HTTPException):
        return BadAnswer(f"{shown}: the answer is not valid HTTP ({type(exc).__name__})")
    return ConnectFailed(f"{shown}: {type(exc).__name__}")


def _exchange(
    method: str,
    ep: urls.Endpoint,
    headers: Mapping[str, str],
    body: bytes | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    kept: http.client.HTTPConnection | None,
    pool_key: _PoolKey | None,
    ctx: ssl.SSLContext | None,
) -> Response:
    shown = ep.shown
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout(f"{shown}: timed out after {timeout:g} s")
    conn = kept if kept is not None else connection(ep, min(remaining, timeout), ctx)
    dog = Watchdog(deadline)
    keep = False
    try:
        if kept is None:
            conn.connect()
            if conn.sock is not None:
                # Headers and body leave in two writes: without TCP_NODELAY, Nagle holds
                # the body back until the server ACKs the headers, which a kept-alive
                # connection's delayed ACK makes wait (urllib3 sets it for the same reason).
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        elif conn.sock is not None:
            conn.sock.settimeout(min(remaining, timeout))
        dog.watch(conn.sock)
        if dog.fired:
            raise Timeout(f"{shown}: timed out after {timeout:g} s")
        conn.request(method, ep.target, body=body, headers=dict(headers))
        raw = conn.getresponse()
        got_headers = {k.lower(): v for k, v in raw.getheaders()}
        length = got_headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise BodyTooLarge(
                f"{shown}: answer of {int(length):,} bytes is over the {max_bytes:,} byte limit"
            )
        chunks: list[bytes] = []
        total = 0
        if method == "HEAD":
            pass
        elif length.isdigit():
            # A length under the cap: one read of exactly that much (the watchdog still
            # ends it at the deadline; a short read is a cut-short answer).
            chunks.append(raw.read(int(length)))
            total = len(chunks[0])
        else:
            while True:
                chunk = raw.read1(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise BodyTooLarge(f"{shown}: answer is over the {max_bytes:,} byte limit")
                chunks.append(chunk)
        if dog.fired:  # a shut-down socket reads as a short body: never return it
            raise Timeout(f"{shown}: timed out after {timeout:g} s")
        if length.isdigit() and total != int(length) and method != "HEAD":
            raise ConnectFailed(f"{shown}: the answer was cut short")
        if pool_key is not None and not raw.will_close and not raw.isclosed():
            raw.read()  # at the end of the body already: marks the answer complete
        keep = pool_key is not None and not raw.will_close and raw.isclosed()
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return Response(raw.status, raw.reason or "", got_headers, data, ep.url)
    except HttpError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise failure(exc, shown, timeout, dog.fired) from None
    finally:
        dog.cancel()
        if keep and pool_key is not None and not dog.fired:
            _POOL.give(pool_key, conn)
        else:
            conn.close()
