"""`regctl serve`: the read-only HTTP API over a watched manifest (needs `regctl[serve]`)."""

from __future__ import annotations

import click

from regctl.cli.app import main
from regctl.cli.client_cmds import _manifest_option
from regctl.cli.manifest_source import find_manifest
from regctl.cli.options import USAGE_EXIT, epilog, format_option


@main.command(
    "serve",
    epilog=epilog(
        [
            "regctl serve --manifest https://config.example.com/prod.json --port 8080",
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
@format_option(["json", "text"], default="json", help="Log line form (stderr).")
def serve_cmd(
    manifest: str | None,
    host: str,
    port: int,
    interval: float,
    expect_digest: str | None,
    no_access_log: bool,
    fmt: str,
) -> None:
    """Serve the manifest read-only over HTTP, reloading it when it changes.

    Endpoints: /v1/providers/{p}/active, /v1/providers/{p}/models, /v1/models,
    /v1/resolve, /v1/manifest, /healthz, /readyz, /metrics, /openapi.json
    (docs/serve.md). A manifest that fails verification never replaces the one
    serving; /readyz answers 503 until the first good one. Key values are never
    served. Logs go to stderr, one JSON object per line.
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
    )
