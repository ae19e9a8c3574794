"""Exceptions that the CLI turns into error messages and exit codes (never tracebacks).

The exit codes are those of ``regctl.cli.exitcodes`` (docs/exit-codes.md): 1 problems,
2 usage, 3 and up command-specific (an error class carrying its own ``exit_code``).
"""

from __future__ import annotations

from typing import Any


class RegctlError(Exception):
    """A failure the user can act on, shown as one line ``error: <message>``; exit 1."""

    exit_code = 1


class UsageError(RegctlError):
    """The command was called wrongly: a bad option or argument, no registry or manifest.

    Shown as ``error: <message>`` and a second line ``hint: <hint>``, what to do about
    it (by default, the command's ``--help``); exit 2.
    """

    exit_code = 2

    def __init__(self, *args: Any, hint: str | None = None) -> None:
        super().__init__(*args)
        self.hint = hint


class ProblemsFound(RegctlError):
    """Validation found errors; the problems were already reported."""

    def __init__(self, count: int) -> None:
        super().__init__("")  # the reporter has printed the problems and a summary
        self.count = count
