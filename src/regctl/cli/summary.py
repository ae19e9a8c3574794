"""``--summary FILE``: a Markdown account of the run, appended to FILE, on failure too.

In a GitHub Actions job, FILE is ``$GITHUB_STEP_SUMMARY`` and the page of the run shows
it. A command adds its Markdown with :func:`add_summary` (the plan, the problem table);
when the command fails the section says so and carries the error (and the problems
:func:`summary_problems` registered), so a red job never has an empty summary.
Everything that came from the registry or a target is escaped
(:func:`regctl.base.textsafe.markdown_text`), and secrets are redacted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from regctl.base import i18n
from regctl.base.errors import ProblemsFound, RegctlError
from regctl.base.redact import redact
from regctl.base.textsafe import markdown_text, safe_line
from regctl.messages.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])
_KEY = "regctl_summary"


class Summary:
    """The sections of one run's summary, written once when the command ends."""

    def __init__(self, path: Path, title: str) -> None:
        self.path, self.title = path, title
        self.parts: list[str] = []
        self.problems: list[Problem] = []

    def write(self, error: str | None) -> None:
        """Append the summary to the file (``error``: the command failed with it)."""
        from regctl.messages.reporters import markdown

        if error is None and self.parts:  # the sections carry their own headings
            out = list(self.parts)
        elif error is None:
            out = [f"### {md_text(self.title)}: done"]
        else:
            out = [f"### {md_text(self.title)} failed", ""]
            out += [f"> **error:** {md_text(error)}" if error else "> **failed**", ""]
            if self.problems:
                out.append(markdown(self.problems))
            out += self.parts
        text = "\n".join(out).rstrip("\n") + "\n\n"
        from regctl.io.fsutil import appending

        try:
            # Appended to (other steps write theirs), and only to a regular file: a FIFO
            # or a device at the path is refused without blocking (fsutil.appending).
            with appending(self.path) as append:
                append(text.encode("utf-8"))
        except OSError as exc:
            click.echo(
                safe_line(f"warning: cannot write the summary to {self.path}: {exc.strerror}"),
                err=True,
            )


def md_text(text: str) -> str:
    """Literal Markdown text, secrets redacted."""
    return markdown_text(redact(str(text)))


def _current() -> Summary | None:
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(_KEY) if ctx is not None else None
    return found if isinstance(found, Summary) else None


def add_summary(markdown_text_: str) -> None:
    """Add a section (Markdown, already escaped) to this run's summary, if one is kept."""
    summary = _current()
    if summary is not None:
        summary.parts.append(markdown_text_.rstrip("\n") + "\n")


def summary_problems(problems: Sequence[Problem]) -> None:
    """The problems that made the command fail, for the failure section."""
    summary = _current()
    if summary is not None:
        summary.problems = list(problems)


def summary_option(func: F) -> F:
    """Add ``--summary FILE`` to a command; write the summary however the command ends."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        path = kwargs.pop("summary_file", None)
        if path is None:
            return func(*args, **kwargs)
        ctx = click.get_current_context()
        words = ctx.command_path.split()[1:]
        env = kwargs.get("env")
        title = " ".join(["regctl", *words]) + (f" {env}" if env else "")
        summary = ctx.meta[_KEY] = Summary(path, title)
        try:
            result = func(*args, **kwargs)
        except ProblemsFound as exc:
            n = len(summary.problems) or exc.count
            summary.write(i18n.ngettext("{n} problem", "{n} problems", n).format(n=n))
            raise
        except RegctlError as exc:
            summary.write(i18n.localize(str(exc)) if str(exc) else "")
            raise
        except SystemExit as exc:  # exit_with(N): a failed check, or plan's "changes" (2)
            failed = exc.code not in (0, None) and not _changes_only(ctx, exc.code)
            summary.write("" if failed else None)
            raise
        summary.write(None)
        return result

    return click.option(  # type: ignore[return-value]
        "--summary",
        "summary_file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        metavar="FILE",
        help="Also append a Markdown summary to FILE, on failure too "
        '(e.g. "$GITHUB_STEP_SUMMARY").',
    )(wrapper)


def _changes_only(ctx: click.Context, code: object) -> bool:
    """``plan --detailed-exitcode`` exits 2 for "changes": a success."""
    return code == 2 and bool(ctx.params.get("detailed_exitcode"))
