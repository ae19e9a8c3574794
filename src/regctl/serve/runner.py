"""Run the app under uvicorn with structured logs and a graceful shutdown."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import resource
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from regctl.base.errors import RegctlError
from regctl.base.i18n import msg
from regctl.base.textsafe import escape_control
from regctl.io.listen import listen
from regctl.serve.limits import Limits
from regctl.serve.watcher import ManifestWatcher


class ServeError(RegctlError):
    """The server could not start (port taken, extra not installed)."""

    exit_code = 1


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``msg`` and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
        # ASCII-only: a control or bidi character in a field stays an escape.
        return json.dumps(entry, ensure_ascii=True, default=str)


class TextFormatter(logging.Formatter):
    """``ts level msg key=value ...`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        from regctl.serve.metrics import text_fields

        fields = getattr(record, "fields", None) or {}
        msg = escape_control(record.getMessage())
        return f"{self.formatTime(record)} {record.levelname.lower()} {msg} {text_fields(fields)}"


def configure_logging(fmt: str = "json", stream: Any = None) -> None:
    """Route regctl's and uvicorn's logs to ``stream`` (stderr) in one format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    for name in ("regctl", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # regctl.serve reports reload failures itself, with the digest it keeps serving.
    logging.getLogger("regctl.client").setLevel(logging.ERROR)


# Descriptors kept for everything but client connections: the listening socket, log
# and manifest files, the watcher's HTTP connection, the event loop's own.
RESERVED_FDS = 64


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered so that client connections can never exhaust the descriptors.

    The soft descriptor limit is raised toward the hard one first (as nginx's
    ``worker_rlimit_nofile``); a connection past the cap is then always accepted and
    the cap enforced by closing one (serve.protocol), never refused by ``accept()``.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + RESERVED_FDS
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_FDS))


def serve(
    source: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    interval: float = 5.0,
    expect_digest: str | None = None,
    log_format: str = "json",
    access_log: bool = True,
    limits: Limits | None = None,
    workers: int = 1,
    guarded: bool = True,
    extra_routes: Callable[[ManifestWatcher], Sequence[Any]] | None = None,
) -> None:
    """Serve ``source`` until SIGINT/SIGTERM, then finish in-flight requests and exit.

    ``workers`` > 1 forks that many server processes sharing one listening socket;
    each watches the manifest itself (they agree again within one ``interval``).
    ``guarded=False`` runs without the request limits (bench/bench_serve.py measures
    what they cost); the CLI has no such option. ``extra_routes(watcher)`` gives
    Starlette routes served after the API's (the web console, mounted by the CLI:
    serve itself imports nothing above the client).
    """
    try:
        import uvicorn

        from regctl.serve import protocol
        from regctl.serve.app import build_app
        from regctl.serve.metrics import AccessLog, Metrics
    except ImportError as exc:
        raise ServeError(
            f"regctl serve needs the serve extra ({exc.name} is missing): "
            "pip install 'regctl[serve]'"
        ) from None
    limits = limits or Limits()
    configure_logging(log_format)
    log = logging.getLogger("regctl.serve")
    cap = connection_cap(limits.max_connections)
    sock = _bind(host, port)
    watcher = ManifestWatcher(source, interval, expect_digest=expect_digest)
    log.info(
        "starting",
        extra={
            "fields": {
                "source": watcher.safe_source,
                "host": host,
                "port": sock.getsockname()[1],
                "interval": interval,
                "workers": workers,
                "max_connections": cap,
                "max_head": limits.max_head,
                "head_timeout": limits.head_timeout,
                "keep_alive_timeout": limits.keep_alive_timeout,
            }
        },
    )
    if cap < limits.max_connections:
        log.warning(
            "connection cap lowered by the descriptor limit",
            extra={"fields": {"max_connections": cap, "asked": limits.max_connections}},
        )
    if workers > 1 and not _fork_workers(workers, log):
        sock.close()  # the parent: its workers have stopped
        return
    access = None
    if access_log:
        # Its own buffer on the stderr descriptor; lines stay whole, flushed 4x a second.
        stream = os.fdopen(sys.stderr.fileno(), "wb", buffering=1 << 16, closefd=False)
        access = AccessLog(stream, log_format)
    metrics = Metrics()
    protocol.STATE = protocol.Shared(limits, watcher, metrics, access, cap)
    app = build_app(watcher, access, metrics, extra_routes(watcher) if extra_routes else ())
    config = uvicorn.Config(
        app,
        log_config=None,  # ours, configured above
        access_log=False,  # the Observe middleware writes structured access lines
        lifespan="on",
        timeout_graceful_shutdown=10,
        timeout_keep_alive=max(1, round(limits.keep_alive_timeout)),
        server_header=False,
        http=protocol.GuardedProtocol if guarded else protocol.TableProtocol,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal that stopped it once it is done; a stop asked for
    # is a clean exit (0), so the re-raised signal must find a handler that ignores it.
    stops: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stops.append(signum))
    try:
        server.run(sockets=[sock])
    except SystemExit:
        raise ServeError(f"cannot serve on {host}:{port}") from None
    if workers > 1:
        os._exit(0)  # a forked worker: the parent logs the end
    log.info("stopped", extra={"fields": {"requests_served": server.server_state.total_requests}})


def _bind(host: str, port: int) -> Any:
    try:
        return listen(host, port, backlog=2048)
    except OSError:
        raise ServeError(
            msg(
                "cannot listen on {host}:{port} (address in use or not allowed)",
                host=host,
                port=port,
            )
        ) from None


def _fork_workers(n: int, log: logging.Logger) -> bool:
    """Fork ``n`` workers; in a worker return True, in the parent supervise, return False.

    The parent forwards SIGTERM/SIGINT to its workers, waits for them and starts a new
    one in place of a worker that dies without being asked to stop.
    """
    stopping: list[int] = []
    children: set[int] = set()

    def forward(signum: int, frame: Any) -> None:
        stopping.append(signum)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while True:
        while len(children) < n and not stopping:
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                return True
            children.add(pid)
        if not children:
            log.info("stopped", extra={"fields": {"workers": n}})
            return False
        try:
            pid, status = os.wait()
        except ChildProcessError:
            children.clear()
            continue
        except InterruptedError:  # pragma: no cover  (PEP 475 retries)
            continue
        children.discard(pid)
        if not stopping:
            log.warning(
                "worker exited, starting another",
                extra={"fields": {"pid": pid, "status": os.waitstatus_to_exitcode(status)}},
            )
            time.sleep(0.5)  # a worker that cannot start must not become a fork loop
