"""Data-driven cases: every registry under tests/cases/valid validates with no errors, and
every one under tests/cases/invalid triggers exactly the problems its expect.txt names.

expect.txt has one line per problem: ``<rule-id> <file relative to the case>:<line>``.
Deprecation rules are evaluated as of 2026-06-01 so that the cases never age.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regctl.messages.problems import Severity
from regctl.pipeline.source import display_path
from regctl.pipeline.validate import validate

CASES = Path(__file__).parent.parent / "cases"
AS_OF = dt.date(2026, 6, 1)


def _names(kind: str) -> list[str]:
    return sorted(p.name for p in (CASES / kind).iterdir() if p.is_dir())


def _found(case: Path) -> list[str]:
    prefix = display_path(case) + "/"
    report = validate(case, as_of=AS_OF)
    return sorted(
        f"{p.rule} {p.location.file.removeprefix(prefix)}:{p.location.line}"
        for p in report.problems
    )


@pytest.mark.parametrize("name", _names("valid"))
def test_valid_case(name: str) -> None:
    report = validate(CASES / "valid" / name, as_of=AS_OF)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize("name", _names("invalid"))
def test_invalid_case(name: str) -> None:
    case = CASES / "invalid" / name
    expected = sorted(
        line.strip() for line in (case / "expect.txt").read_text().splitlines() if line.strip()
    )
    assert _found(case) == expected


def test_every_rule_has_an_invalid_case() -> None:
    from regctl.pipeline.rules import documentation

    covered = set()
    for name in _names("invalid"):
        covered.update(
            line.split()[0]
            for line in (CASES / "invalid" / name / "expect.txt").read_text().splitlines()
            if line.strip()
        )
    missing = set(documentation()) - covered
    assert not missing, f"rules without an invalid case: {sorted(missing)}"
