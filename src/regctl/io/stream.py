"""A long-lived HTTP answer read line by line (etcd's watch stream).

The request and the answer's headers get a total deadline (:mod:`regctl.io.deadline`),
like any exchange. The body then stays open for as long as the server has news, so it
has no deadline; instead every line is capped (a server sending one endless line
cannot exhaust memory), TCP keepalive notices a server that vanished without closing,
and :meth:`Stream.abort` (from any thread) ends a blocked read at once.
Standard library only.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time
from collections.abc import Iterator, Mapping

from regctl.io import safehttp, urls
from regctl.io.deadline import Watchdog

__all__ = ["Stream"]

#: Longest line of a stream (an etcd watch event names a key and its revisions).
MAX_LINE = 1 << 20


class Stream:
    """One streamed exchange: :meth:`open`, then :meth:`lines` until the server closes.

    :meth:`abort` may be called from any thread at any time, also while :meth:`open`
    waits for the answer's headers.
    """

    def __init__(self, ep: urls.Endpoint, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ep = ep
        self._shown = ep.shown
        self._conn = safehttp.connection(ep, 1.0, ssl_context)
        self._resp: http.client.HTTPResponse | None = None
        self._aborted = False
        self.status = 0

    def open(
        self, method: str, *, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> None:
        """Send the request and wait (at most ``timeout`` s in all) for the answer's headers."""
        conn, ep = self._conn, self._ep
        conn.timeout = timeout
        dog = Watchdog(time.monotonic() + timeout)
        try:
            conn.connect()
            dog.watch(conn.sock)
            if self._aborted:
                self.abort()
            conn.request(method, ep.target, body=body, headers=dict(headers))
            resp = conn.getresponse()
            if dog.fired:
                raise safehttp.Timeout(f"{self._shown}: timed out after {timeout:g} s")
        except safehttp.HttpError:
            conn.close()
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            conn.close()
            raise safehttp.failure(exc, self._shown, timeout, dog.fired) from None
        finally:
            dog.cancel()
        self._resp, self.status = resp, resp.status
        sock = conn.sock
        if sock is not None:
            # From now on wait for news without a read timeout; keepalive probes (not
            # polling) detect a server that disappeared without closing.
            sock.settimeout(None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            for opt, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
                if hasattr(socket, opt):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), value)
        if self._aborted:
            self.abort()

    def lines(self, max_line: int = MAX_LINE) -> Iterator[bytes]:
        """Each line of the body; ends when the server closes the stream (or on abort).

        Raises :class:`~regctl.io.safehttp.BodyTooLarge` for a line over ``max_line``
        and :class:`~regctl.io.safehttp.ConnectFailed` when the connection breaks.
        """
        resp = self._resp
        if resp is None:
            return
        while not self._aborted:
            try:
                line = resp.readline(max_line + 1)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if self._aborted:
                    return
                raise safehttp.failure(exc, self._shown, 0, False) from None
            if not line:
                return
            if len(line) > max_line:
                raise safehttp.BodyTooLarge(
                    f"{self._shown}: a line of the stream is over the {max_line:,} byte limit"
                )
            yield line

    def abort(self) -> None:
        """End the stream from any thread (a blocked :meth:`open` or :meth:`lines` returns)."""
        self._aborted = True
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
