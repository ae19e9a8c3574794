"""Budgets in the Registry document: their schema, and scopes checked by unknown-reference."""

from __future__ import annotations

from conftest import Check, read_base

REGISTRY = "registry.yaml"


def _with(budgets: str) -> dict[str, str | None]:
    return {REGISTRY: read_base(REGISTRY) + "budgets:\n" + budgets}


def test_valid_budgets_are_clean(check: Check) -> None:
    files = _with(
        "  - {scope: provider:acme, monthly: 500, currency: USD, warn_at: 0.8}\n"
        "  - {scope: model:beta/beta-chat, monthly: 20.5}\n"
        "  - {scope: all, monthly: 1000}\n"
    )
    assert check(files) == []


def test_unknown_scopes_point_at_the_scope(check: Check) -> None:
    problems = check(
        _with("  - {scope: provider:acne, monthly: 5}\n  - scope: env:prod\n    monthly: 5\n"),
        rule="unknown-reference",
    )
    lines = read_base(REGISTRY).count("\n")
    assert [(p.location.line, p.location.col) for p in problems] == [
        (lines + 2, 13),
        (lines + 3, 12),
    ]
    assert problems[0].message == (
        "budgets[0].scope names provider 'acne', which does not exist (did you mean 'acme'?)"
    )
    assert "environment 'prod', which does not exist" in problems[1].message


def test_budget_fields_are_checked_by_the_schema(check: Check) -> None:
    problems = check(_with("  - {scope: all, monthly: -1, currency: EUR, warn_at: 2}\n"))
    assert {p.rule for p in problems} == {"schema"}
    text = " ".join(p.message for p in problems)
    assert "monthly" in text and "currency" in text and "warn_at" in text
