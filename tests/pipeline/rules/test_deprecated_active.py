"""deprecated-active and deprecation-soon: dates compared with --as-of."""

from __future__ import annotations

import datetime as dt

from tests.pipeline.rules.conftest import Check, read_base

from regctl.messages.problems import Severity

BETA = read_base("providers/beta.yaml")
REG = read_base("registry.yaml")


def test_active_past_its_date_is_an_error_on_the_day(check: Check) -> None:
    text = BETA + "    deprecated: 2026-06-01\n"
    (p,) = check({"providers/beta.yaml": text}, as_of=dt.date(2026, 6, 1))
    assert p.rule == "deprecated-active" and p.severity is Severity.ERROR
    assert [r.line for r in p.related] == [13]  # the deprecated date itself


def test_inactive_deprecated_model_is_fine(check: Check) -> None:
    text = BETA.replace("    active: [chat]\n", "") + "    deprecated: 2020-01-01\n"
    files = {
        "providers/beta.yaml": text,
        "registry.yaml": REG.replace("  chat: [beta]\n", "  chat: []\n"),
    }
    assert check(files) == []


def test_soon_is_a_warning_within_the_policy_window(check: Check) -> None:
    text = BETA + "    deprecated: 2026-06-11\n"
    (p,) = check({"providers/beta.yaml": text})  # as of 2026-06-01: 10 days
    assert (
        p.rule == "deprecation-soon"
        and p.severity is Severity.WARNING
        and "in 10 day(s)" in p.message
    )
    narrow = REG + "policy: {deprecation_warning_days: 5}\n"
    assert check({"providers/beta.yaml": text, "registry.yaml": narrow}) == []
