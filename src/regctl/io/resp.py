"""A bounded Redis client: RESP2 over one socket, a total deadline per command, capped replies.

The runtime client shares rate limits and budget counters through Redis
(``redis://`` in ``policy.limits.backend`` or ``$REGCTL_LIMITS_URL``). It is standard
library only, and the ``redis`` package is both a dependency and a client that reads
whatever the server sends; RESP2 for the few commands used (``EVALSHA``, ``SCRIPT
LOAD``, ``AUTH``, ``SELECT``, ``PING``) is a page of code, and here every reply is
bounded like the rest of regctl's I/O:

- one URL parser decides and connects: ``redis://[[user]:password@]host[:port][/db]``
  or ``rediss://`` (TLS, certificates checked); the host and port used are the ones
  parsed, nothing else;
- each command has a total deadline (the socket timeout is re-set to what is left
  before every read, so a server trickling a byte a second cannot stretch it);
- a reply is at most :data:`MAX_REPLY_BYTES`, an array at most :data:`MAX_ITEMS`
  elements and :data:`MAX_DEPTH` levels deep; anything else is a :class:`RedisError`;
- errors are one line naming the server as ``redis://host:port/db``, never the password
  or the server's reply text beyond its first word.

Connections are pooled per client (one per concurrent caller) and dropped on any error.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Sequence

from regctl.io import urls

__all__ = ["MAX_REPLY_BYTES", "RedisClient", "RedisError", "ReplyError", "parse_url"]

MAX_REPLY_BYTES = 1024 * 1024
MAX_ITEMS = 4096
MAX_DEPTH = 4
_CHUNK = 65536

Reply = int | bytes | None | list["Reply"]


class RedisError(Exception):
    """The server could not be reached, timed out, or sent something out of bounds."""


class ReplyError(RedisError):
    """The server answered with an error (``-ERR ...``); ``code`` is its first word."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Target:
    """A parsed ``redis://`` URL; ``str()`` is safe to print (no credentials)."""

    __slots__ = ("db", "host", "password", "port", "tls", "username")

    def __init__(
        self, host: str, port: int, db: int, tls: bool, username: str | None, password: str | None
    ) -> None:
        self.host, self.port, self.db, self.tls = host, port, db, tls
        self.username, self.password = username, password

    def __str__(self) -> str:
        scheme = "rediss" if self.tls else "redis"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/{self.db}"

    __repr__ = __str__


def parse_url(url: str) -> Target:
    """The :class:`Target` of ``url``; :class:`RedisError` (without the URL's secrets).

    Parsed by the one URL parser (:mod:`regctl.io.urls`): the host and port it returns
    are the ones connected to; what precedes an ``@`` is only ever a user name and password.
    """
    try:
        end = urls.parse(url, schemes=("redis", "rediss"), allow_userinfo=True)
    except urls.BadUrl as exc:
        raise RedisError(f"limits backend URL: {exc} (use redis://HOST:PORT/DB)") from None
    if end.query:
        raise RedisError("limits backend URL takes no query or fragment")
    path = end.path.strip("/")
    if path and not (path.isdigit() and len(path) <= 2):
        raise RedisError("limits backend URL: the path is the database number (0-99)")
    user, password = urls.userinfo(url)
    tls = end.scheme == "rediss"
    return Target(end.host, end.port or 6379, int(path or 0), tls, user, password)


def _encode(args: Sequence[bytes | str | int | float]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, bytes):
            b = a
        elif isinstance(a, str):
            b = a.encode("utf-8")
        elif isinstance(a, float):
            b = repr(a).encode()
        else:
            b = b"%d" % a
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class _Conn:
    __slots__ = ("buf", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        chunk = self.sock.recv(_CHUNK)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buf += chunk
        if len(self.buf) > MAX_REPLY_BYTES + 64:
            raise RedisError("reply over the size cap")

    def _line(self, deadline: float) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 2]
                return line
            if len(self.buf) > 1024:
                raise RedisError("reply line over the size cap")
            self._fill(deadline)

    def read(self, deadline: float, depth: int = 0) -> Reply:
        line = self._line(deadline)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            if depth:  # the rest of the array is unread: the connection is dropped
                raise RedisError("error inside a reply array")
            text = rest.decode("utf-8", "replace")
            code = text.split(" ", 1)[0][:32]
            raise ReplyError(f"server error {code}", code)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            if n > MAX_REPLY_BYTES:
                raise RedisError("reply over the size cap")
            while len(self.buf) < n + 2:
                self._fill(deadline)
            data = bytes(self.buf[:n])
            del self.buf[: n + 2]
            return data
        if kind == b"*":
            n = int(rest)
            if n < 0:
                return None
            if n > MAX_ITEMS or depth >= MAX_DEPTH:
                raise RedisError("reply array over the size cap")
            return [self.read(deadline, depth + 1) for _ in range(n)]
        raise RedisError("reply is not RESP")


class RedisClient:
    """Commands to one Redis server, each bounded by ``timeout`` seconds in total."""

    def __init__(self, url: str, timeout: float = 1.0) -> None:
        self.target = parse_url(url)
        self.timeout = timeout
        self._idle: list[_Conn] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RedisClient({self.target})"

    def _connect(self, deadline: float) -> _Conn:
        t = self.target
        left = max(0.001, deadline - time.monotonic())
        sock = socket.create_connection((t.host, t.port), timeout=left)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if t.tls:
                ctx = ssl.create_default_context()
                sock = ctx.wrap_socket(sock, server_hostname=t.host)
            conn = _Conn(sock)
            if t.password is not None:
                auth: list[bytes | str | int | float] = ["AUTH"]
                auth += [t.username, t.password] if t.username else [t.password]
                conn.sock.sendall(_encode(auth))
                conn.read(deadline)
            if t.db:
                conn.sock.sendall(_encode(["SELECT", t.db]))
                conn.read(deadline)
        except BaseException:
            sock.close()
            raise
        return conn

    def call(self, *args: bytes | str | int | float) -> Reply:
        """Send one command and return its reply (``bytes``, ``int``, ``None`` or a list)."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self._connect(deadline)
            conn.sock.sendall(_encode(args))
            reply = conn.read(deadline)
        except ReplyError:
            self._keep(conn)
            raise
        except (OSError, ValueError, RedisError, ssl.SSLError) as exc:
            if conn is not None:
                conn.sock.close()
            if isinstance(exc, RedisError):
                raise RedisError(f"redis {self.target}: {exc}") from None
            why = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise RedisError(f"redis {self.target}: {why}") from None
        self._keep(conn)
        return reply

    def _keep(self, conn: _Conn | None) -> None:
        if conn is None:
            return
        with self._lock:
            if len(self._idle) < 16:
                self._idle.append(conn)
                return
        conn.sock.close()

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.sock.close()
