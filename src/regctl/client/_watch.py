"""The loops behind :meth:`Registry.watch`: polling, and etcd's watch stream.

Polling re-reads the source every ``interval`` (files by stat stamp, URLs and S3
with ETags, so an unchanged source costs one small request). For ``etcd://``
the loop holds a watch stream open on the pointer key (``POST /v3/watch``, one
JSON object per line) and reloads as soon as an event arrives: changes reach the
app in milliseconds, and an idle watcher costs nothing but a parked socket (TCP
keepalive notices a vanished server). When the stream breaks it polls instead,
reconnecting with exponential backoff up to ``interval``, resuming from the last
revision seen so no change is missed.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any


class Stopper(threading.Event):
    """A stop flag that also breaks a blocking read on the watch stream's socket."""

    def __init__(self) -> None:
        super().__init__()
        self.sock: socket.socket | None = None

    def set(self) -> None:
        super().set()
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def poll_loop(refresh: Callable[[], object], stop: Stopper, interval: float) -> None:
    """Re-read the source every ``interval`` seconds until stopped."""
    while not stop.wait(interval):
        refresh()


class _Compacted(Exception):
    """The revision to resume from was compacted: resume from now (after a reload)."""


def etcd_loop(
    source: str,
    refresh: Callable[[], object],
    revision: Callable[[], int | None],
    stop: Stopper,
    interval: float,
    timeout: float,
) -> None:
    """Reload on every watch event for ``source``'s key; poll with backoff while it is down."""
    from regctl.client import _etcd

    base, key = _etcd.parse_uri(source)
    backoff = min(0.25, interval)
    resume = True
    while not stop.is_set():
        rev = revision() if resume else None
        try:
            for _ in _events(base, key, rev, stop, timeout):
                refresh()
                backoff = min(0.25, interval)
        except _Compacted:
            resume = False
            refresh()
            continue
        except (OSError, ValueError):
            pass
        resume = True
        if stop.is_set():
            return
        refresh()  # the stream broke: poll, then try the stream again after a pause
        if stop.wait(backoff):
            return
        backoff = min(backoff * 2, interval)


def _events(
    base: str, key: str, rev: int | None, stop: Stopper, timeout: float
) -> Iterator[dict[str, Any]]:
    import http.client
    from urllib.parse import urlsplit

    from regctl.client import _etcd

    parts = urlsplit(base)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=_etcd.tls_context()
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json", **_etcd.auth_headers(base, timeout)}
    create: dict[str, Any] = {"key": _etcd.b64(key)}
    if rev:
        create["start_revision"] = str(rev + 1)
    try:
        conn.connect()
        sock = conn.sock
        assert sock is not None
        stop.sock = sock
        if stop.is_set():
            return
        conn.request(
            "POST", _etcd.GATEWAY + "/watch", json.dumps({"create_request": create}), headers
        )
        resp = conn.getresponse()
        if resp.status != 200:
            raise OSError(f"watch answered HTTP {resp.status}")
        # Connected: from now on wait for events without a read timeout; keepalive
        # probes (not polling) detect a server that disappeared without closing.
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for opt, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
            if hasattr(socket, opt):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), value)
        while not stop.is_set():
            line = resp.readline()
            if not line:
                return  # the server closed the stream
            result = json.loads(line).get("result") or {}
            if result.get("compact_revision") or result.get("canceled"):
                raise _Compacted()
            if result.get("events"):
                yield result
    finally:
        stop.sock = None
        conn.close()
