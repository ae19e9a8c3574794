"""Render a problem list. Reporters are keyed by name: ``text``, ``json``, ``github``."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from regctl.base import i18n
from regctl.base.redact import redact
from regctl.base.textsafe import escape_control, markdown_text, safe_line
from regctl.messages.problems import Problem, Severity

Reporter = Callable[[Sequence[Problem]], str]


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _local_summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    return (
        i18n.ngettext("{n} error", "{n} errors", errors).format(n=errors)
        + i18n._(", ")
        + i18n.ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)
    )


_SEVERITY = {Severity.ERROR: i18n.N_("error"), Severity.WARNING: i18n.N_("warning")}


def text(problems: Sequence[Problem]) -> str:
    """``file:line:col: severity [rule] message``, one per line, then a summary line.

    Messages and the severity word are in the user's language (:mod:`regctl.base.i18n`);
    ``file:line:col`` and ``[rule]`` never change. A right-to-left message is wrapped
    in Unicode isolates (FSI ... PDI) so a bidi-aware terminal cannot move it into
    the position prefix. Control characters from YAML are escaped and no line can
    start a workflow command.
    """
    if i18n.language() == "en":
        lines = [
            safe_line(f"{p.location}: {p.severity.value} [{p.rule}] {redact(p.message)}")
            for p in problems
        ]
        lines.append(_summary(problems) if problems else "no problems")
        return "\n".join(lines) + "\n"
    wrap = "\u2068{}\u2069" if i18n.is_rtl() else "{}"
    # The message is escaped before it is wrapped: the isolates are regctl's own and
    # must survive, bidi controls from the registry must not.
    lines = [
        safe_line(f"{p.location}: {i18n._(_SEVERITY[p.severity])} [{p.rule}] ")
        + wrap.format(escape_control(redact(i18n.localize(p.message))))
        for p in problems
    ]
    lines.append(wrap.format(_local_summary(problems) if problems else i18n._("no problems")))
    return "\n".join(lines) + "\n"


def json_(problems: Sequence[Problem]) -> str:
    """A JSON document: ``{"problems": [...], "errors": N, "warnings": N}``."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    doc = {
        "problems": [{**p.as_dict(), "message": redact(p.message)} for p in problems],
        "errors": errors,
        "warnings": len(problems) - errors,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _escape_data(s: str) -> str:
    # Control characters become visible escapes first; the percent-encoding is
    # GitHub's own and keeps the annotation one command line.
    return escape_control(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


@lru_cache(maxsize=64)
def _repo_root(folder: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = out.stdout.strip()
    return Path(top).resolve() if out.returncode == 0 and top else None


def anchored(file: str) -> str:
    """``file`` relative to the repository root, as GitHub places annotations.

    Problems name files relative to the current directory; run from a subfolder,
    those paths would not match the diff. Outside git the registry's parent
    folder (where a repository root would be) is the anchor.
    """
    try:
        path = Path(file).resolve()
        if not path.exists():
            return file
    except (OSError, ValueError):  # a name no file can have (a NUL byte): keep it as given
        return file
    root = _repo_root(path.parent)
    if root is None:
        from regctl.base.discover import find_registry

        registry = find_registry(path)
        root = registry.resolve().parent if registry is not None else None
    if root is None:
        return file
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return file


def annotation(
    level: str, file: str, message: str, *, line: int = 1, col: int = 1, title: str = ""
) -> str:
    """One GitHub workflow command (``::error file=...::message``), path anchored."""
    props = f"file={_escape_prop(anchored(file))},line={line},col={col}"
    if title:
        props += f",title={_escape_prop(title)}"
    return f"::{level} {props}::{_escape_data(message)}"


def anchored_message(p: Problem) -> str:
    """``p``'s message with the places it names (``related``) repository-relative too.

    The message names them as the problem does, relative to the current folder; next
    to an annotation's repository-relative ``file=`` they must be anchored the same way.
    """
    places = {str(r): r for r in (*p.related, p.location)}
    if not any(name in p.message for name in places):
        return str(p.message)
    # one pass, longest first: an anchored path is never rewritten again
    pattern = re.compile("|".join(re.escape(n) for n in sorted(places, key=len, reverse=True)))

    def anchor(match: re.Match[str]) -> str:
        place = places[match.group()]
        return f"{anchored(place.file)}:{place.line}:{place.col}"

    return pattern.sub(anchor, str(p.message))


def github(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands, which annotate the pull request's diff."""
    lines = []
    for p in problems:
        level = "error" if p.severity is Severity.ERROR else "warning"
        loc = p.location
        msg = f"[{p.rule}] {redact(anchored_message(p))}"
        lines.append(annotation(level, loc.file, msg, line=loc.line, col=loc.col, title=p.rule))
    return "\n".join(lines) + ("\n" if lines else "")


def markdown(problems: Sequence[Problem]) -> str:
    """A Markdown table for a job summary or a comment: one row per problem.

    Paths are repository-relative (as in annotations); every cell is literal text, so
    a message quoting a pull request's YAML cannot add links, images or HTML.
    """
    if not problems:
        return "**No problems.**\n"
    lines = [f"**{_summary(problems)}**", "", "| | where | rule | problem |", "|---|---|---|---|"]
    for p in problems:
        mark = "error" if p.severity is Severity.ERROR else "warning"
        loc = p.location
        where = markdown_text(f"{anchored(loc.file)}:{loc.line}:{loc.col}")
        message = markdown_text(redact(anchored_message(p)))
        lines.append(f"| {mark} | {where} | {markdown_text(p.rule)} | {message} |")
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "json": json_,
    "github": github,
    "markdown": markdown,
}
