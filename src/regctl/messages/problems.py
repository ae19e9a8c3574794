"""The problem list: what every validation stage yields and every reporter renders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a registry file; ``line`` and ``col`` are 1-based."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One finding of one rule at one place, with the other places it conflicts with."""

    rule: str
    message: str
    location: Location
    severity: Severity = Severity.ERROR
    related: tuple[Location, ...] = field(default_factory=tuple)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.rule, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "related": [{"file": r.file, "line": r.line, "col": r.col} for r in self.related],
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sort by file and position and drop exact repeats (environments re-check the base)."""
    seen: dict[tuple[str, int, int, str, str], Problem] = {}
    for p in problems:
        seen.setdefault(p.sort_key, p)
    return [seen[k] for k in sorted(seen)]


def has_errors(problems: Iterable[Problem], strict: bool = False) -> bool:
    return any(strict or p.severity is Severity.ERROR for p in problems)
