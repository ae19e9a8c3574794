"""`regctl export static`: the read API as static files (nginx, S3, any static host).

:mod:`regctl.cli.interop` adds the command to its ``export`` group.
"""

from __future__ import annotations

from pathlib import Path

import click

from regctl.cli.options import epilog


@click.command(
    name="static",
    epilog=epilog(
        [
            "regctl export static build/prod.lock.json -o public/",
            "regctl export static build/prod.lock.json --to s3://config-bucket/api",
            "curl -s https://config.example.com/api/current.json",
        ],
        "export static",
    ),
)
@click.argument("manifest", metavar="MANIFEST")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write (the file target: serve it with nginx or any web server).",
)
@click.option(
    "--to",
    "to",
    metavar="s3://BUCKET/PREFIX",
    default=None,
    help="Also publish to S3 or an S3-compatible store (the S3 target's credentials chain).",
)
def export_static_cmd(manifest: str, output: Path | None, to: str | None) -> None:
    """Write every answer of `regctl serve`'s read API as a static file.

    MANIFEST is a lock file or any location the client reads (verified the same way).
    Files go under a root named by the manifest digest (never changed once written,
    cacheable forever) with an index of routes; current.json, written last, names the
    root that is serving. Each file holds the exact bytes `regctl serve` answers for
    its route (docs/serve.md, "Static export").
    """
    from regctl.base.errors import UsageError
    from regctl.base.i18n import msg
    from regctl.cli.manifest_source import require_manifest

    if output is None and to is None:
        raise UsageError(msg("name a folder (-o DIR) or a store (--to s3://BUCKET/PREFIX)"))
    require_manifest(manifest)  # no manifest to work on: a usage error, as everywhere
    publish(manifest, output, to)


def publish(manifest: str, output: Path | None, to: str | None) -> None:
    """Export ``manifest``'s read API to the folder ``output`` and/or the store ``to``.

    Shared by ``regctl export static`` and ``regctl apply --static`` (which publishes
    the manifest it has just applied).
    """
    import tempfile

    from regctl.serve.export_static import export_static

    with tempfile.TemporaryDirectory(prefix="regctl-static-") as scratch:
        folder = output if output is not None else Path(scratch)
        done = export_static(manifest, folder)
        if output is not None:
            click.echo(
                f"wrote {output}/{done.root}: {done.files} route file(s), {done.bytes} bytes; "
                f"{output}/current.json -> {done.digest}",
                err=True,
            )
        if to is not None:
            from regctl.deploy.static_publish import publish_s3

            sent = publish_s3(folder, done.root, to)
            click.echo(f"published {to}: {sent} object(s) -> {done.digest}", err=True)
