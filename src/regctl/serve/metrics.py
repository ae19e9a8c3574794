"""Request counting, Prometheus text and structured access logs (one ASGI middleware)."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, BinaryIO

from regctl.serve.watcher import ManifestWatcher

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Metrics:
    """Counters read by ``/metrics``. Only the event loop thread writes them."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        # Connections the request limits ended: head_too_large, head_timeout, evicted, refused.
        self.refused: dict[str, int] = {}

    def refuse(self, reason: str) -> None:
        self.refused[reason] = self.refused.get(reason, 0) + 1

    def count(self, route: str, status: int) -> None:
        key = (route, status)
        self.requests[key] = self.requests.get(key, 0) + 1

    def render(self, watcher: ManifestWatcher) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        snap = watcher.snapshot
        lines = [
            "# HELP regctl_manifest_info The manifest now serving; its digest is the label.",
            "# TYPE regctl_manifest_info gauge",
        ]
        if snap is not None:
            env = snap.registry.environment or ""
            lines.append(
                f'regctl_manifest_info{{digest="{_label(snap.digest)}",'
                f'environment="{_label(env)}"}} 1'
            )
        lines += [
            "# HELP regctl_manifest_ready 1 once a good manifest is serving.",
            "# TYPE regctl_manifest_ready gauge",
            f"regctl_manifest_ready {0 if snap is None else 1}",
            "# HELP regctl_manifest_reloads_total Manifests swapped in (the first load included).",
            "# TYPE regctl_manifest_reloads_total counter",
            f"regctl_manifest_reloads_total {watcher.reloads}",
            "# HELP regctl_manifest_reload_failures_total Loads refused; the last good one kept.",
            "# TYPE regctl_manifest_reload_failures_total counter",
            f"regctl_manifest_reload_failures_total {watcher.failures}",
        ]
        if watcher.last_success is not None:
            lines += [
                "# HELP regctl_manifest_last_success_timestamp_seconds Last good check.",
                "# TYPE regctl_manifest_last_success_timestamp_seconds gauge",
                f"regctl_manifest_last_success_timestamp_seconds {watcher.last_success:.3f}",
            ]
        lines += [
            "# HELP regctl_http_requests_total HTTP requests by route template and status.",
            "# TYPE regctl_http_requests_total counter",
        ]
        for (route, status), n in sorted(self.requests.items()):
            lines.append(
                f'regctl_http_requests_total{{route="{_label(route)}",status="{status}"}} {n}'
            )
        lines += [
            "# HELP regctl_http_refused_total Connections ended by a request limit, by reason.",
            "# TYPE regctl_http_refused_total counter",
        ]
        for reason, n in sorted(self.refused.items()):
            lines.append(f'regctl_http_refused_total{{reason="{_label(reason)}"}} {n}')
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class AccessLog:
    """One line per request, in the same shape as the other log lines (``runner.JsonFormatter``).

    Written straight to a buffered stream and flushed a few times a second by the app:
    through :mod:`logging` the line costs more than the request it describes.
    """

    def __init__(self, stream: BinaryIO, fmt: str = "json") -> None:
        self._out = stream
        self._json = fmt == "json"
        self._sec = -1
        self._stamp = ""

    def write(self, fields: dict[str, Any]) -> None:
        now = time.time()
        sec = int(now)
        if sec != self._sec:
            self._sec = sec
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        ts = f"{self._stamp}.{int((now - sec) * 1000):03d}+00:00"
        if self._json:
            entry = {"ts": ts, "level": "info", "logger": access_logger, "msg": "request"}
            entry.update(fields)
            # ASCII-only: a decoded path's newline, bidi control or U+2028 stays an escape.
            line = json.dumps(entry, ensure_ascii=True)
        else:
            line = f"{ts} info request " + text_fields(fields)
        self._out.write(line.encode("utf-8") + b"\n")

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._out.flush()


access_logger = "regctl.serve.access"

_PLAIN = re.compile(r"[!#-<>-~]*")  # printable ASCII without space, '"' and '='


def text_fields(fields: dict[str, Any]) -> str:
    """``key=value ...`` where a value that is not plain printable ASCII is JSON-quoted.

    The path of a request is percent-decoded: ``%0A`` is a newline, so a raw value
    could start a forged log line, and a space or ``=`` could forge a field.
    """
    out = []
    for k, v in fields.items():
        text = "" if v is None else str(v)
        if not text or not _PLAIN.fullmatch(text):
            text = json.dumps(text, ensure_ascii=True)
        out.append(f"{k}={text}")
    return " ".join(out)


class Observe:
    """Counts every request by route template and status, and writes its access log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, access: AccessLog | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            # Route templates, not raw paths, keep the label set bounded.
            name = getattr(route, "path", None) or "unmatched"
            self.metrics.count(name, status)
            if self.access is not None:
                query = scope.get("query_string", b"")
                client = scope.get("client")
                self.access.write(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "query": query.decode("latin-1") if query else "",
                        "route": name,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                        "client": f"{client[0]}:{client[1]}" if client else None,
                    }
                )
