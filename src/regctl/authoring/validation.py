"""Validate edited registry text before it is written.

The registry is validated in memory with the edited files' new text standing in for
what is on disk (:func:`regctl.pipeline.validate.validate` with ``overrides``): one validation,
no copy of the folder. Only if it passes are the real files written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from regctl.base import i18n
from regctl.base.errors import RegctlError
from regctl.messages.problems import Problem, Severity


class InvalidResultError(RegctlError):
    """The edit would leave the registry failing validation; nothing was written."""


def _errors(root: Path, overrides: Mapping[Path, bytes] | None = None) -> list[Problem]:
    from regctl.pipeline.validate import validate

    report = validate(root, overrides=overrides)
    return [p for p in report.problems if p.severity is Severity.ERROR]


def _show(p: Problem) -> str:
    # shown at once, in the user's language (rule ids and positions stay as they are)
    severity = i18n._(p.severity.value)
    return f"{p.location}: {severity} [{p.rule}] {i18n.localize(p.message)}"


def validate_candidate(root: Path, overrides: Mapping[Path, bytes]) -> None:
    """Raise :class:`InvalidResultError` if ``root`` with ``overrides`` swapped in has errors.

    ``overrides``: resolved path -> the file's new bytes. Every environment is validated.
    """
    errors = _errors(root, overrides)
    if not errors:
        return
    before = {(p.rule, p.message) for p in _errors(root)}
    already = sum(1 for p in errors if (p.rule, p.message) in before)
    note = i18n.msg(" ({n} of them already there before this change)", n=already) if already else ""
    raise InvalidResultError(
        i18n.msg(
            "the change would leave the registry invalid; nothing was written. "
            "{n} error(s){note}:\n{problems}",
            n=len(errors),
            note=note,
            problems="\n".join(_show(p) for p in errors),
        )
    )
