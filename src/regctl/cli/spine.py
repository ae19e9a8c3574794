"""`regctl validate`, `regctl compile`, `regctl schema`, `regctl rules`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from regctl import reporters
from regctl.cli.app import main
from regctl.errors import ProblemsFound, UsageError

REGISTRY_ARG = click.argument("registry", default="registry", type=click.Path(path_type=Path))


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of: '{value}' is not a date (YYYY-MM-DD)") from None


AS_OF = click.option(
    "--as-of", "as_of", metavar="DATE", help="Date for deprecation rules (default: today)."
)


@main.command()
@REGISTRY_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(reporters.REPORTERS)),
    default="text",
    show_default=True,
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--env", "envs", multiple=True, help="Validate only these environments (default: all)."
)
@AS_OF
def validate(
    registry: Path, fmt: str, strict: bool, envs: tuple[str, ...], as_of: str | None
) -> None:
    """Check a registry and report every problem, sorted by file and line."""
    from regctl.validate import validate as run

    report = run(registry, as_of=_as_of(as_of), envs=list(envs) or None)
    unknown = [e for e in envs if e not in report.registry.environments]
    if unknown:
        raise UsageError(f"unknown environment(s): {', '.join(unknown)}")
    out = reporters.REPORTERS[fmt](report.problems)
    if fmt == "text" and not report.problems:
        b = report.registry.base
        out = (
            f"{report.root}: {len(report.load.files)} files, {len(b.providers)} providers, "
            f"{sum(len(m) for m in b.models.values())} models, "
            f"{len(report.registry.environments)} environments: no problems\n"
        )
    click.echo(out, nl=False)
    if report.failed(strict):
        raise ProblemsFound(len(report.problems)) from None


@main.command("compile")
@REGISTRY_ARG
@click.option("--env", default=None, help="Environment to compile (default: the base registry).")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Lock file to write (default: stdout)."
)
@click.option("--check", is_flag=True, help="Exit 1 if the lock file given with -o is stale.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(reporters.REPORTERS)),
    default="text",
    help="Problem format.",
)
@AS_OF
def compile_(
    registry: Path, env: str | None, output: Path | None, check: bool, fmt: str, as_of: str | None
) -> None:
    """Compile the registry into a locked runtime manifest (canonical JSON with a digest)."""
    from regctl.compile import compile_registry, is_stale, write_lock

    if check and output is None:
        raise UsageError("--check needs the lock file: -o FILE")
    result = compile_registry(registry, env=env, as_of=_as_of(as_of))
    if not result.ok:
        click.echo(reporters.REPORTERS[fmt](result.problems), nl=False, err=True)
        raise ProblemsFound(len(result.problems))
    if check:
        assert output is not None
        if is_stale(output, result):
            click.echo(
                f"{output} is stale: run 'regctl compile {registry}"
                f"{' --env ' + env if env else ''} -o {output}'",
                err=True,
            )
            sys.exit(1)
        click.echo(f"{output} is up to date ({result.digest})", err=True)
        return
    if output is None:
        click.echo(result.text, nl=False)
        return
    write_lock(result, output)
    click.echo(f"wrote {output} ({result.digest})", err=True)


@main.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("schemas"),
    show_default=True,
)
@click.option("--check", is_flag=True, help="Exit 1 if the files on disk differ.")
def schema(out_dir: Path, check: bool) -> None:
    """Write the JSON Schemas for registry documents and for the manifest."""
    from regctl.fsutil import atomic_write
    from regctl.jsonschemas import render_all

    stale = []
    for name, text in render_all().items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(str(path))
        else:
            atomic_write(path, text.encode("utf-8"))
            click.echo(f"wrote {path}", err=True)
    if stale:
        click.echo(f"stale: {', '.join(stale)} (run 'regctl schema')", err=True)
        sys.exit(1)


@main.command("rules")
def rules_() -> None:
    """List every rule id with its documentation."""
    from regctl.rules import documentation

    for rule_id, doc in documentation().items():
        click.echo(f"{rule_id}\n  " + "\n  ".join(doc.splitlines()) + "\n")
