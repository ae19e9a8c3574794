"""Exceptions that the CLI turns into one-line messages and exit codes (never tracebacks)."""

from __future__ import annotations


class RegctlError(Exception):
    """A failure the user can act on. ``exit_code``: 1 problems, 2 usage (docs/exit-codes.md)."""

    exit_code = 1


class UsageError(RegctlError):
    """The command was called wrongly (bad option value, missing file argument)."""

    exit_code = 2


class ProblemsFound(RegctlError):
    """Validation found errors; the problems were already reported."""

    def __init__(self, count: int) -> None:
        super().__init__("")  # the reporter has printed the problems and a summary
        self.count = count
