"""The loops behind :meth:`Registry.watch`: polling, and etcd's watch stream.

Polling re-reads the source every ``interval`` (files by stat stamp, URLs and S3
with ETags, so an unchanged source costs one small request). For ``etcd://``
the loop holds a watch stream open on the pointer key (``POST /v3/watch``, one
JSON object per line) and reloads as soon as an event arrives: changes reach the
app in milliseconds, and an idle watcher costs nothing but a parked socket (TCP
keepalive notices a vanished server). When the stream breaks it polls instead,
reconnecting with exponential backoff up to ``interval``, resuming from the last
revision seen so no change is missed.

:func:`start` sets a registry up to be watched and starts the thread that runs a loop.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from regctl.io.stream import Stream


class Stopper(threading.Event):
    """A stop flag that also ends a blocking read on the watch stream."""

    def __init__(self) -> None:
        super().__init__()
        self.stream: Stream | None = None

    def set(self) -> None:
        super().set()
        stream = self.stream
        if stream is not None:
            stream.abort()


def poll_loop(refresh: Callable[[], object], stop: Stopper, interval: float) -> None:
    """Re-read the source every ``interval`` seconds until stopped."""
    while not stop.wait(interval):
        refresh()


def start(
    reg: Any,
    interval: float,
    on_change: Callable[[Any], None] | None,
    on_error: Callable[[Any, Any], None] | None,
) -> None:
    """Follow ``reg``'s source in a daemon thread (see :meth:`Registry.watch`)."""
    stop = Stopper()
    s = object.__setattr__
    s(reg, "_on_change", on_change)
    s(reg, "_on_error", on_error)
    s(reg, "_stop", stop)

    def safe_refresh() -> bool:
        # The thread must outlive anything a reload or a callback raises: a dead
        # watcher would serve the old manifest forever without a word.
        try:
            return bool(reg.refresh())
        except Exception as exc:  # a callback raised; refresh() reports the rest
            import logging

            logging.getLogger("regctl.client").warning(
                "manifest watch callback raised %s", type(exc).__name__
            )
            return False

    if reg._source.startswith(("etcd://", "etcds://")):

        def revision() -> int | None:
            stamp = reg._state.stamp
            return stamp if isinstance(stamp, int) else None

        args: tuple[Any, ...] = (reg._source, safe_refresh, revision, stop, interval, reg._timeout)
        loop: Callable[..., None] = etcd_loop
    else:
        args, loop = (safe_refresh, stop, interval), poll_loop
    thread = threading.Thread(target=loop, args=args, name="regctl-manifest-watch", daemon=True)
    s(reg, "_thread", thread)
    thread.start()


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
        except Exception:  # a broken stream or any hostile answer: poll instead, never die
            pass
        resume = True
        if stop.is_set():
            return
        refresh()  # the stream broke: poll, then try the stream again after a pause
        if stop.wait(backoff):
            return
        backoff = min(backoff * 2, interval)


def _result(line: bytes) -> dict[str, Any]:
    """The ``result`` object of one watch line; any other shape ends the stream."""
    from regctl.io import jsondoc

    doc = jsondoc.loads(line, "a watch event")
    result = doc.get("result") if isinstance(doc, dict) else None
    if not isinstance(result, dict):
        raise jsondoc.BadJson("a watch event has no result object")
    return result


def _events(
    base: Any, key: str, rev: int | None, stop: Stopper, timeout: float
) -> Iterator[dict[str, Any]]:
    from regctl.client import _etcd

    gateway = _etcd.Gateway(base, timeout=timeout)
    headers = {"Content-Type": "application/json", **gateway.auth_headers()}
    create: dict[str, Any] = {"key": _etcd.b64(key)}
    if rev:
        create["start_revision"] = str(rev + 1)
    ctx = _etcd.tls_context() if base.scheme == "https" else None
    stream = Stream(base.with_target(_etcd.GATEWAY + "/watch"), ctx)
    stop.stream = stream
    try:
        if stop.is_set():
            return
        stream.open(
            "POST",
            headers=headers,
            body=json.dumps({"create_request": create}).encode("utf-8"),
            timeout=timeout,
        )
        if stream.status != 200:
            raise OSError(f"watch answered HTTP {stream.status}")
        for line in stream.lines():
            if stop.is_set():
                return
            result = _result(line)
            if result.get("compact_revision") or result.get("canceled"):
                raise _Compacted()
            if result.get("events"):
                yield result
    finally:
        stop.stream = None
        stream.close()
