"""`regctl serve`: the read-only HTTP API over a watched manifest (needs `regctl[serve]`)."""

from __future__ import annotations

from pathlib import Path

import click

from regctl.cli.app import main
from regctl.cli.client_cmds import _manifest_option
from regctl.cli.manifest_source import find_manifest
from regctl.cli.options import epilog, format_option, registry_option
from regctl.console.options import is_loopback
from regctl.serve.limits import Limits


@main.command(
    "serve",
    epilog=epilog(
        [
            "regctl serve --manifest https://config.example.com/prod.json --port 8080",
            "regctl serve --workers 2 --max-connections 2000 --head-timeout 5",
            "curl 'localhost:8080/v1/providers/openai/active?capability=chat'",
            "regctl serve --usage logs/usage.jsonl --history file:deploy/prod/manifest.lock.json"
            "   # then open http://127.0.0.1:8080/ui/",
        ],
        "serve",
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
@click.option(
    "--ui/--no-ui",
    default=None,
    help="Serve the read-only web console under /ui/ [default: on when --host is loopback].",
)
@click.option(
    "--ui-allowed-host",
    "ui_hosts",
    multiple=True,
    metavar="NAME",
    help="A Host name the console answers besides localhost (a proxy's name); repeatable.",
)
@click.option(
    "--usage",
    "usage_files",
    multiple=True,
    metavar="FILE",
    help="A usage JSONL file for the console's spend page; repeatable.",
)
@click.option(
    "--history",
    metavar="TARGET",
    help="The deploy target whose applied manifests the console lists "
    "[default: the served manifest's own history folder, when it has one].",
)
@registry_option(optional=True)
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
    ui: bool | None,
    ui_hosts: tuple[str, ...],
    usage_files: tuple[str, ...],
    history: str | None,
    registry: Path | None,
) -> None:
    """Serve the manifest read-only over HTTP, reloading it when it changes.

    Endpoints: /v1/providers/{p}/active, /v1/providers/{p}/models, /v1/models,
    /v1/resolve, /v1/manifest, /healthz, /readyz, /metrics, /openapi.json
    (docs/serve.md). A manifest that fails verification never replaces the one
    serving; /readyz answers 503 until the first good one. Key values are never
    served. Logs go to stderr, one JSON object per line. Binds 127.0.0.1 by
    default: for public exposure put a reverse proxy (nginx) in front, or serve
    a static export (regctl export static).

    The web console (/ui/: providers, models, changes, spend, propose) is on by
    default when the server binds a loopback address, and answers only requests
    addressed to localhost or an --ui-allowed-host name. Its spend page reads the
    --usage files (budgets from the registry), its propose page edits the registry
    in memory only: the server never writes.
    """
    from regctl.serve.runner import serve

    extra = None
    if ui if ui is not None else is_loopback(host):
        from regctl.console import ConsoleOptions, routes

        options = ConsoleOptions(
            usage=usage_files,
            registry=registry,
            history=history,
            allowed_hosts=frozenset(h.strip().lower() for h in ui_hosts),
        )

        def extra(watcher: object) -> list[object]:
            return routes(watcher, options)

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
        extra_routes=extra,
    )
