"""Run the app under uvicorn with structured logs and a graceful shutdown."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
from typing import Any

from regctl.base.errors import RegctlError
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
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``ts level msg key=value ...`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {}
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        return f"{self.formatTime(record)} {record.levelname.lower()} {record.getMessage()} {extra}"


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


def serve(
    source: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    interval: float = 5.0,
    expect_digest: str | None = None,
    log_format: str = "json",
    access_log: bool = True,
) -> None:
    """Serve ``source`` until SIGINT/SIGTERM, then finish in-flight requests and exit."""
    try:
        import uvicorn

        from regctl.serve.app import build_app
    except ImportError as exc:
        raise ServeError(
            f"regctl serve needs the serve extra ({exc.name} is missing): "
            "pip install 'regctl[serve]'"
        ) from None
    configure_logging(log_format)
    watcher = ManifestWatcher(source, interval, expect_digest=expect_digest)
    access = None
    if access_log:
        from regctl.serve.metrics import AccessLog

        # Its own buffer on the stderr descriptor; lines stay whole, flushed 4x a second.
        stream = os.fdopen(sys.stderr.fileno(), "wb", buffering=1 << 16, closefd=False)
        access = AccessLog(stream, log_format)
    app = build_app(watcher, access)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # ours, configured above
        access_log=False,  # the Observe middleware writes structured access lines
        lifespan="on",
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    server = uvicorn.Server(config)
    log = logging.getLogger("regctl.serve")
    log.info(
        "starting",
        extra={"fields": {"source": source, "host": host, "port": port, "interval": interval}},
    )
    # uvicorn re-raises the signal that stopped it once it is done; a stop asked for
    # is a clean exit (0), so the re-raised signal must find a handler that ignores it.
    stops: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stops.append(signum))
    try:
        server.run()
    except SystemExit:
        # uvicorn exits when it cannot bind; say so in one line instead.
        raise ServeError(
            f"cannot listen on {host}:{port} (address in use or not allowed)"
        ) from None
    if not server.started:
        raise ServeError(f"cannot listen on {host}:{port} (address in use or not allowed)")
    log.info("stopped", extra={"fields": {"requests_served": server.server_state.total_requests}})
