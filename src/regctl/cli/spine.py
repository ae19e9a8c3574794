"""`regctl validate`, `regctl compile`, `regctl schema`, `regctl rules`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from regctl.base.errors import ProblemsFound, UsageError
from regctl.base.i18n import localize, msg, tr
from regctl.cli.app import main
from regctl.cli.complete import complete_environment, env_option
from regctl.cli.options import epilog, format_option, output_option, registry_option
from regctl.cli.summary import add_summary, md_text, summary_option, summary_problems
from regctl.messages import reporters


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            msg("--as-of: '{value}' is not a date (YYYY-MM-DD)", value=value)
        ) from None


AS_OF = click.option(
    "--as-of", "as_of", metavar="DATE", help="Date for deprecation rules (default: today)."
)


@main.command(
    epilog=epilog(
        ["regctl validate", "regctl validate registry/ --strict --format github"],
        "validate",
    )
)
@registry_option(positional=True)
@format_option(sorted(reporters.REPORTERS))
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="ENV",
    shell_complete=complete_environment,
    help="Validate only these environments (default: all).",
)
@AS_OF
@summary_option
def validate(
    registry: Path, fmt: str, strict: bool, envs: tuple[str, ...], as_of: str | None
) -> None:
    """Check a registry and report every problem, sorted by file and line."""
    from regctl.pipeline.validate import validate as run

    report = run(registry, as_of=_as_of(as_of), envs=list(envs) or None)
    unknown = [e for e in envs if e not in report.registry.environments]
    if unknown:
        known = ", ".join(sorted(report.registry.environments)) or msg("none")
        listed = ", ".join(unknown)
        raise UsageError(
            msg("unknown environment '{env}' (known: {known})", env=listed, known=known)
        )
    out = reporters.REPORTERS[fmt](report.problems)
    if report.failed(strict):
        summary_problems(report.problems)
    else:
        table = reporters.markdown(report.problems)
        add_summary(f"### regctl validate: {md_text(str(report.root))}\n\n{table}")
    if fmt == "text" and not report.problems:
        b = report.registry.base
        counts = msg(
            "{root}: {files} files, {providers} providers, {models} models, "
            "{environments} environments: no problems",
            root=report.root,
            files=len(report.load.files),
            providers=len(b.providers),
            models=sum(len(m) for m in b.models.values()),
            environments=len(report.registry.environments),
        )
        out = localize(counts) + "\n"
    click.echo(out, nl=False)
    if report.failed(strict):
        raise ProblemsFound(len(report.problems)) from None


@main.command(
    "compile",
    epilog=epilog(
        [
            "regctl compile --env prod -o build/prod.lock.json",
            "regctl compile registry/ --env prod -o build/prod.lock.json --check",
        ],
        "compile",
    ),
)
@registry_option(positional=True)
@env_option("Environment to compile (default: the base registry).")
@output_option("Lock file to write (default: standard output).")
@click.option("--check", is_flag=True, help="Exit 1 if the lock file given with -o is stale.")
@format_option(sorted(reporters.REPORTERS), help="Form of the problems printed on errors.")
@AS_OF
def compile_(
    registry: Path, env: str | None, output: Path | None, check: bool, fmt: str, as_of: str | None
) -> None:
    """Compile the registry into a locked runtime manifest (canonical JSON with a digest)."""
    from regctl.pipeline.compile import compile_registry, is_stale, write_lock

    if check and output is None:
        raise UsageError(msg("--check needs the lock file: -o FILE"))
    result = compile_registry(registry, env=env, as_of=_as_of(as_of))
    if not result.ok:
        click.echo(reporters.REPORTERS[fmt](result.problems), nl=False, err=True)
        raise ProblemsFound(len(result.problems))
    if check:
        assert output is not None
        if is_stale(output, result):
            stale = msg(
                "{path} is stale: run '{command}'",
                path=str(output),
                command=f"regctl compile {registry}{' --env ' + env if env else ''} -o {output}",
            )
            if fmt == "github":  # machine output: the same words in every language
                click.echo(reporters.annotation("error", str(output), stale, title="stale-lock"))
            else:
                click.echo(localize(stale), err=True)
            sys.exit(1)
        click.echo(
            tr("{path} is up to date ({digest})", path=output, digest=result.digest), err=True
        )
        return
    if output is None:
        for piece in result.pieces():  # streamed: a large manifest is never held whole
            click.echo(piece, nl=False)
        return
    write_lock(result, output)
    click.echo(tr("wrote {path} ({digest})", path=output, digest=result.digest), err=True)


@main.command(
    epilog=epilog(
        ["regctl schema -o schemas", "regctl schema --check"],
        "schema",
    )
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, dir_okay=True),
    default=Path("schemas"),
    show_default=True,
    metavar="DIR",
    help="Folder to write the schema files into.",
)
@click.option("--check", is_flag=True, help="Exit 1 if the files on disk differ.")
def schema(out_dir: Path, check: bool) -> None:
    """Write the JSON Schemas for registry documents and for the manifest.

    Editors validate as you type through the line `# yaml-language-server: $schema=...`
    at the top of each registry file (`regctl init` and `regctl import` write it).
    """
    from regctl.docs.jsonschemas import render_all
    from regctl.io.fsutil import atomic_write
    from regctl.io.safeio import current_text

    stale = []
    pages = render_all()
    for name, text in pages.items():
        path = out_dir / name
        current = current_text(path)
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
    if check:  # every --check says so when all is well, in one line
        click.echo(tr("{folder}: {n} file(s) up to date", folder=out_dir, n=len(pages)), err=True)


@main.command(
    "rules",
    epilog=epilog(["regctl rules", "regctl rules --format json | jq -r 'keys[]'"], "rules"),
)
@format_option(["text", "json"])
def rules_(fmt: str) -> None:
    """List every rule id with its documentation (docs/rules.md has the same text)."""
    import json

    from regctl.pipeline.rules import documentation

    docs = documentation()
    if fmt == "json":
        click.echo(json.dumps(docs, indent=2))
        return
    for rule_id, doc in docs.items():
        body = "\n".join(f"  {line}" if line else "" for line in doc.splitlines())
        click.echo(f"{rule_id}\n{body}\n")
