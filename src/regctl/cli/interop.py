"""`regctl import modelsdev|litellm|django` and `regctl export litellm`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from regctl.base.discover import display_path
from regctl.base.errors import RegctlError, UsageError
from regctl.cli.app import main
from regctl.cli.complete import env_option
from regctl.cli.options import epilog, output_option, registry_option
from regctl.interop.report import ImportReport
from regctl.messages.progress import Progress


@main.group(
    name="import",
    epilog=epilog(["regctl import modelsdev ../models.dev -o registry"], "import"),
)
def import_group() -> None:
    """Convert another catalog into registry YAML (all models inactive unless stated)."""


@main.group(
    name="export",
    epilog=epilog(["regctl export litellm --env prod -o litellm.yaml"], "export"),
)
def export_group() -> None:
    """Write gateway configuration from the compiled manifest."""


def _out_options(fn: Any) -> Any:
    fn = click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path),
        default=Path("registry"),
        show_default=True,
        metavar="DIR",
        help="Folder to write the registry into.",
    )(fn)
    fn = click.option("--force", is_flag=True, help="Overwrite YAML files already in the folder.")(
        fn
    )
    fn = click.option(
        "--schema",
        default=None,
        metavar="URL|PATH",
        help="$schema for the editor modeline (default: schemas/ beside the output folder, "
        "relative to each file).",
    )(fn)
    fn = click.option(
        "--report",
        "report_file",
        type=click.Path(path_type=Path),
        default=None,
        help="Also write the full report (every skipped item and note) as JSON.",
    )(fn)
    fn = click.option("-v", "--verbose", is_flag=True, help="List every skipped item and note.")(fn)
    return fn


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} expects NAME=VALUE, got {item!r}")
        out[key] = val
    return out


def _finish(
    result: Any,
    output: Path,
    *,
    force: bool,
    schema: str | None,
    report_file: Path | None,
    verbose: bool,
    comment: str,
) -> None:
    from regctl.interop.writer import ensure_schema, inside_schema, schema_beside, write_registry

    report: ImportReport = result.report
    own_schema = None
    if schema is None and not schema_beside(output):
        own_schema = inside_schema(output)  # nothing is written outside -o
        schema = str(own_schema)
    with Progress("writing", len(result.providers)) as bar:
        report.files = write_registry(
            output,
            result.providers,
            result.registry,
            comment=comment,
            schema=schema,
            force=force,
            progress=bar.advance,
            templates=getattr(result, "templates", None),
        )
    click.echo(report.render(verbose=verbose))
    if len(report.env_vars) > 25 and not verbose:
        click.echo(
            f"the credentials reference {len(report.env_vars)} environment variables: set those "
            "of the providers you activate (--verbose or --report FILE lists them)"
        )
    elif report.env_vars:
        click.echo("set these environment variables for the providers you use:")
        for name, provider in sorted(report.env_vars.items()):
            click.echo(f"  {name}  ({provider})")
    if report_file is not None:
        from regctl.interop.writer import atomic_write

        atomic_write(report_file, json.dumps(report.as_dict(), indent=2) + "\n")
    click.echo(f"wrote {len(report.files)} file(s) to {output}")
    if own_schema is not None:
        wrote = ensure_schema(own_schema)
        if wrote is not None:  # so the files' `$schema=` lines resolve in an editor
            click.echo(f"wrote {display_path(wrote)}")


@import_group.command(
    name="modelsdev",
    epilog=epilog(
        ["regctl import modelsdev ../models.dev -o registry --var AZURE_RESOURCE_NAME=acme"],
        "import modelsdev",
    ),
)
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Fill ${NAME} in provider URLs (e.g. --var AZURE_RESOURCE_NAME=acme).",
)
@_out_options
def import_modelsdev_cmd(
    path: Path,
    variables: tuple[str, ...],
    output: Path,
    force: bool,
    schema: str | None,
    report_file: Path | None,
    verbose: bool,
) -> None:
    """Import a models.dev checkout at PATH (its providers/ and models/ folders)."""
    from regctl.interop.modelsdev import import_modelsdev

    bar = Progress("models.dev", 0)
    with bar:
        result = import_modelsdev(
            path,
            variables=_pairs(variables, "--var"),
            progress=bar.advance,
            on_total=lambda n: setattr(bar, "total", max(n, 1)),
        )
    _finish(
        result,
        output,
        force=force,
        schema=schema,
        report_file=report_file,
        verbose=verbose,
        comment="Imported from models.dev by `regctl import modelsdev`.",
    )


@import_group.command(
    name="litellm",
    epilog=epilog(
        ["regctl import litellm model_prices_and_context_window.json -o registry"],
        "import litellm",
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--base-url",
    "base_urls",
    multiple=True,
    metavar="PROVIDER=URL",
    help="Endpoint for a LiteLLM provider the importer has no URL for.",
)
@_out_options
def import_litellm_cmd(
    file: Path,
    base_urls: tuple[str, ...],
    output: Path,
    force: bool,
    schema: str | None,
    report_file: Path | None,
    verbose: bool,
) -> None:
    """Import LiteLLM's model_prices_and_context_window.json FILE."""
    from regctl.interop.litellm_prices import import_litellm_prices

    result = import_litellm_prices(file, base_urls=_pairs(base_urls, "--base-url"))
    _finish(
        result,
        output,
        force=force,
        schema=schema,
        report_file=report_file,
        verbose=verbose,
        comment="Imported from LiteLLM's price map by `regctl import litellm`.",
    )


@import_group.command(
    name="django",
    epilog=epilog(
        [
            "regctl import django dump.json -o registry --report import-report.json",
            "regctl import django --database sqlite:///db.sqlite3 -o registry --strict",
        ],
        "import django",
    ),
)
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--database",
    metavar="URL",
    default=None,
    help="Read the Django database itself (sqlite:///PATH), read-only, instead of a FILE.",
)
@click.option("--app", default=None, help="Django app label of the AI tables, when several.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day deprecation dates are compared with (default: today).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row or field was dropped.")
@_out_options
def import_django_cmd(
    file: Path | None,
    database: str | None,
    app: str | None,
    as_of: Any,
    strict: bool,
    output: Path,
    force: bool,
    schema: str | None,
    report_file: Path | None,
    verbose: bool,
) -> None:
    """Import a Django deployment of the AI provider tables: a dumpdata FILE, or --database.

    Both seed schemas are read (providers by name or slug, models with capabilities or one
    capability per row). Keys become env: references; every source row is reported.
    Dump with `manage.py dumpdata APP auth contenttypes` (who may use the shared keys).
    """
    from regctl.interop.django import import_django

    if (file is None) == (database is None):
        raise UsageError("give a dumpdata FILE or --database URL (one of them)")
    result = import_django(file, database=database, app=app, as_of=as_of.date() if as_of else None)
    _finish(
        result,
        output,
        force=force,
        schema=schema,
        report_file=report_file,
        verbose=verbose,
        comment="Imported from the Django tables by `regctl import django`.",
    )
    dropped = result.report.dropped()
    if strict and dropped:
        raise RegctlError(f"--strict: {dropped} row(s) or field(s) were dropped (see the report)")


@export_group.command(
    name="litellm",
    epilog=epilog(
        [
            "regctl export litellm --env prod -o litellm.yaml",
            "regctl export litellm build/prod.lock.json --strict",
        ],
        "export litellm",
    ),
)
@registry_option(positional=True)
@env_option("Environment to compile (default: the base registry).")
@output_option("Write the config here (default: stdout).")
@click.option("--strict", is_flag=True, help="Exit 1 when something could not be expressed.")
def export_litellm_cmd(registry: Path, env: str | None, output: Path | None, strict: bool) -> None:
    """Write a LiteLLM proxy config from the registry (a folder, or a compiled lock file)."""
    from regctl.interop.litellm_export import export_litellm
    from regctl.interop.lockfile import load_manifest

    manifest = load_manifest(registry, env=env)
    result = export_litellm(manifest)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        from regctl.interop.writer import atomic_write

        atomic_write(output, result.text)
        entries = len(result.config["model_list"])
        click.echo(f"wrote {output}: {entries} deployment(s)", err=True)
    if strict and result.warnings:
        raise RegctlError(f"{len(result.warnings)} thing(s) could not be expressed in LiteLLM")


def _add_configmap() -> None:
    # The ConfigMap export lives in its own module; it joins this module's `export` group.
    from regctl.cli.export_configmap import export_configmap_cmd

    export_group.add_command(export_configmap_cmd)
    # So does the static export of the read API.
    from regctl.cli.export_static_cmd import export_static_cmd

    export_group.add_command(export_static_cmd)


_add_configmap()
