"""`regctl spend`: what the usage files say was spent, against the Registry's budgets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from regctl.base.errors import RegctlError
from regctl.base.i18n import tr
from regctl.cli.app import exit_with, main
from regctl.cli.options import epilog, format_option, registry_option


@main.command(
    "spend",
    epilog=epilog(
        [
            "regctl spend logs/usage.jsonl --month 2026-11 --by model",
            "regctl spend logs/usage.jsonl* --format markdown --check --chart spend.svg",
        ],
        "spend",
    ),
)
@click.argument("usage_files", nargs=-1, required=True, metavar="USAGE.jsonl...")
@click.option(
    "--month", default=None, metavar="YYYY-MM", help="The month [default: this one, UTC]."
)
@click.option(
    "--by",
    type=click.Choice(["provider", "model", "env", "template", "day"]),
    default="provider",
    show_default=True,
    help="Group the spend by this field.",
)
@format_option(["text", "json", "markdown"])
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when a budget is exceeded or a line is malformed, 3 past a warning.",
)
@click.option(
    "--chart",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE.svg",
    help="Also draw daily spend per group as an SVG chart.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    default=None,
    help="The day the forecast runs to [default: today, UTC] (for reproducible reports).",
)
@registry_option()
def spend_cmd(
    usage_files: tuple[str, ...],
    month: str | None,
    by: str,
    fmt: str,
    check: bool,
    chart: Path | None,
    as_of: dt.datetime | None,
    registry: Path,
) -> None:
    """Sum the cost of usage events (written by Resolved.record) for one month.

    Lines that are not valid usage events (bad JSON, a negative or non-finite cost,
    an impossible day, a line over 64 KiB) are counted as malformed and named in
    every format; with --check they fail the check, since their spend is unknown.
    Shows the spend per group, each budget of the Registry document (spent, share
    used, month-end forecast from the run rate so far), and with --chart a picture of
    daily spend per group (an SVG file; with --format markdown also a Mermaid chart of
    the daily total, which GitHub renders in a job summary). In a scheduled CI
    job, append the Markdown to "$GITHUB_STEP_SUMMARY".
    """
    from regctl.base.textsafe import safe_line
    from regctl.io.fsutil import atomic_write
    from regctl.spend.ledger import SpendError, check_budgets, exit_code, parse_month, read_usage
    from regctl.spend.report import (
        malformed_note,
        render_markdown,
        render_mermaid,
        render_svg,
        render_text,
        report_data,
    )

    today = as_of.date() if as_of else dt.datetime.now(dt.timezone.utc).date()
    wanted = parse_month(month, today)
    budgets = _budgets(registry, SpendError)
    from regctl.interop.progress import Progress

    size = sum(_size(p) for p in usage_files)
    if size > _PROGRESS_BYTES:
        # A bar on a terminal only (a million events take seconds); silent in pipes and CI.
        with Progress("reading usage (bytes)", size) as bar:
            usage = read_usage(usage_files, wanted, bar.advance)
    else:
        usage = read_usage(usage_files, wanted)
    if usage.malformed:
        click.echo(safe_line(f"warning: {malformed_note(usage)}"), err=True)
    statuses = check_budgets(usage, budgets, today)
    data = report_data(usage, by, statuses, today)
    if fmt == "json":
        # Money is decimal strings: there is no float to be NaN; allow_nan=False proves it.
        click.echo(json.dumps(data, indent=2, sort_keys=True, allow_nan=False))
    elif fmt == "markdown":
        md = render_markdown(data, usage, statuses)
        if chart is not None:  # the SVG cannot be shown inline in a job summary
            md += "\n\n" + render_mermaid(usage)
        click.echo(md)
    else:
        click.echo(render_text(data, usage, statuses))
    if chart is not None:
        try:
            atomic_write(chart, render_svg(usage, by).encode("utf-8"))
        except OSError as exc:
            raise SpendError(f"{chart}: cannot write chart: {exc.strerror}") from None
    if check:
        code = exit_code(statuses, usage.malformed)
        if code == 0:  # every --check says so when all is well, in one line
            click.echo(tr("{n} budget(s) within their limits", n=len(statuses)), err=True)
        exit_with(code)


_PROGRESS_BYTES = 20_000_000  # ~50,000 events: about a second on a busy machine


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # read_usage says why it cannot be read


def _budgets(registry: Path, error: type[RegctlError]) -> list[dict[str, object]]:
    """The Registry document's budgets (:func:`regctl.spend.budgets.read_budgets`)."""
    from regctl.spend.budgets import read_budgets

    budgets, errors = read_budgets(registry)
    if errors:
        for line in errors:
            click.echo(line, err=True)
        raise error(f"registry {registry} has {len(errors)} error(s); budgets not read")
    return budgets
