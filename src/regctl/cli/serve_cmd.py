"""`regctl serve`: the read-only HTTP API over a watched manifest (needs `regctl[serve]`)."""

from __future__ import annotations

import click

from regctl.cli.app import main
from regctl.cli.client_cmds import _manifest_option
from regctl.cli.manifest_source import find_manifest
from regctl.cli.options import USAGE_EXIT, epilog, format_option
from regctl.serve.limits import Limits


@main.command(
    "serve",
    epilog=epilog(
        [
            "regctl serve --manifest https://config.example.com/prod.json --port 8080",
            "regctl serve --workers 2 --max-connections 2000 --head-timeout 5",
            "curl 'localhost:8080/v1/providers/openai/active?capability=chat'",
        ],
        {
            0: "stopped by SIGINT/SIGTERM (requests in flight finished)",
            1: "cannot listen (address in use) or the serve extra is missing",
            4: "no manifest named and none found here",
        }
        | USAGE_EXIT,
    ),
)
@_manifest_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    metavar="SECONDS",
    help="How often the manifest is re-checked.",
)
@click.option(
    "--expect-digest", metavar="sha256:HEX", help="Serve only the manifest with this digest."
)
@click.option("--no-access-log", is_flag=True, help="Do not log one line per request.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (each watches the manifest).",
)
@click.option(
    "--max-connections",
    default=Limits.max_connections,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Open connections per process; past it idle, then the slowest, are closed "
    "(lowered to fit the descriptor limit).",
)
@click.option(
    "--max-head-size",
    default=Limits.max_head,
    show_default=True,
    type=click.IntRange(1024, 16 * 1024 * 1024),
    metavar="BYTES",
    help="Largest request head (request line and headers); larger: 431.",
)
@click.option(
    "--head-timeout",
    default=Limits.head_timeout,
    show_default=True,
    type=click.FloatRange(min=0.1, max=3600),
    metavar="SECONDS",
    help="Time a request head may take to arrive; then 408 and close.",
)
@click.option(
    "--keep-alive-timeout",
    default=Limits.keep_alive_timeout,
    show_default=True,
    type=click.FloatRange(min=1, max=3600),
    metavar="SECONDS",
    help="How long an idle keep-alive connection stays open.",
)
@format_option(["json", "text"], default="json", help="Log line form (stderr).")
def serve_cmd(
    manifest: str | None,
    host: str,
    port: int,
    interval: float,
    expect_digest: str | None,
    no_access_log: bool,
    workers: int,
    max_connections: int,
    max_head_size: int,
    head_timeout: float,
    keep_alive_timeout: float,
    fmt: str,
) -> None:
    """Serve the manifest read-only over HTTP, reloading it when it changes.

    Endpoints: /v1/providers/{p}/active, /v1/providers/{p}/models, /v1/models,
    /v1/resolve, /v1/manifest, /healthz, /readyz, /metrics, /openapi.json
    (docs/serve.md). A manifest that fails verification never replaces the one
    serving; /readyz answers 503 until the first good one. Key values are never
    served. Logs go to stderr, one JSON object per line. Binds 127.0.0.1 by
    default: for public exposure put a reverse proxy (nginx) in front, or serve
    a static export (regctl export static).
    """
    from regctl.serve.runner import serve

    serve(
        find_manifest(manifest),
        host=host,
        port=port,
        interval=interval,
        expect_digest=expect_digest,
        log_format=fmt,
        access_log=not no_access_log,
        limits=Limits(max_head_size, head_timeout, keep_alive_timeout, max_connections),
        workers=workers,
    )
