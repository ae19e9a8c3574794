"""Validate edited registry text before it is written.

The validator reads a folder, so the candidate is checked in a scratch copy of the
registry with the edited files swapped in; only if that copy validates are the real files
written. Problem locations are reported with the real paths.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from regctl import i18n
from regctl.errors import RegctlError
from regctl.problems import Problem, Severity


class InvalidResultError(RegctlError):
    """The edit would leave the registry failing validation; nothing was written."""


def _copy_registry(root: Path, dest: Path) -> None:
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(".git", "__pycache__"))


def _errors(root: Path) -> list[Problem]:
    from regctl.validate import validate

    report = validate(root)
    return [p for p in report.problems if p.severity is Severity.ERROR]


def _show(p: Problem, scratch: Path, root: Path) -> str:
    # shown at once, in the user's language (rule ids and positions stay as they are)
    severity = i18n._(p.severity.value)
    text = f"{p.location}: {severity} [{p.rule}] {i18n.localize(p.message)}"
    return text.replace(str(scratch), str(root))


def validate_candidate(root: Path, new_texts: dict[Path, str], *, env: str | None = None) -> None:
    """Raise :class:`InvalidResultError` if ``root`` with ``new_texts`` swapped in has errors.

    ``env`` is accepted for symmetry with the edit commands; every environment is validated.
    """
    del env
    root = root.resolve()
    with tempfile.TemporaryDirectory(prefix="regctl-check-") as tmp:
        scratch = Path(tmp) / root.name
        _copy_registry(root, scratch)
        for path, text in new_texts.items():
            dest = scratch / path.resolve().relative_to(root)
            dest.write_text(text, encoding="utf-8", newline="")
        errors = _errors(scratch)
        if not errors:
            return
        lines = [_show(p, scratch, root) for p in errors]
    before = {(p.rule, p.message) for p in _errors(root)}
    already = sum(1 for p in errors if (p.rule, p.message) in before)
    note = i18n.msg(" ({n} of them already there before this change)", n=already) if already else ""
    raise InvalidResultError(
        i18n.msg(
            "the change would leave the registry invalid; nothing was written. "
            "{n} error(s){note}:\n{problems}",
            n=len(errors),
            note=note,
            problems="\n".join(lines),
        )
    )
