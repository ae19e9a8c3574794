"""`regctl explain` and `regctl docs`: the reference, from the code it documents."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from regctl.base.i18n import tr
from regctl.cli.app import main
from regctl.cli.options import epilog


def _complete_path(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from regctl.docs.explain import walk

    return [f.path for f in walk() if f.path.lower().startswith(incomplete.lower())]


@main.command(
    "explain",
    epilog=epilog(
        ["regctl explain Provider.models.pricing", "regctl explain registry"],
        "explain",
    ),
)
@click.argument("path", metavar="KIND[.FIELD...]", shell_complete=_complete_path)
def explain_cmd(path: str) -> None:
    """Print a document kind's or a field's type, default and documentation.

    Like `kubectl explain`: KIND is Provider, Model, Registry, Environment or
    PromptTemplate (any case); fields follow with dots, through nested objects and lists
    (`Provider.models` is a provider's list of models).
    """
    from regctl.docs.explain import render

    click.echo(render(path), nl=False)


@main.command(
    "docs",
    epilog=epilog(
        ["regctl docs", "regctl docs --check"],
        "docs",
    ),
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("docs"),
    show_default=True,
    metavar="DIR",
    help="Folder to write the pages into.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a page differs.")
def docs_cmd(out_dir: Path, check: bool) -> None:
    """Write the generated reference pages: reference.md, rules.md, exit-codes.md."""
    from regctl.cli.docgen import render_all
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
        click.echo(f"stale: {', '.join(stale)} (run 'regctl docs')", err=True)
        sys.exit(1)
    if check:  # every --check says so when all is well, in one line
        click.echo(tr("{folder}: {n} file(s) up to date", folder=out_dir, n=len(pages)), err=True)
