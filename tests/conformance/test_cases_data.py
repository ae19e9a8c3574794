"""The cases themselves: enough of them, every branch of the contract named at least once."""

from __future__ import annotations

import collections

from tests.conformance.conftest import CASES

#: Every code and step of docs/resolution.md must be what some case expects.
CODES = {
    "unknown_provider", "unknown_capability", "unknown_model", "unknown_template",
    "no_active_model", "template_pin_unusable", "provider_disabled", "capability_mismatch",
    "model_inactive", "model_deprecated", "params_over_limit", "bad_request", "no_credentials",
    "digest_mismatch", "unsupported_version", "invalid_manifest",
}  # fmt: skip
STEPS = {"model", "template", "provider", "default", "fallback", "scope"}
WARNINGS = {"model_inactive", "model_deprecated", "template_pin_unusable", "params_over_limit"}


def test_at_least_sixty_cases_with_unique_names() -> None:
    assert len(CASES) >= 60
    dupes = [k for k, n in collections.Counter(c.id for c in CASES).items() if n > 1]
    assert dupes == []


def test_every_error_code_step_warning_and_ask_is_covered() -> None:
    errors = {c.expect["error"] for c in CASES if "error" in c.expect}
    steps = {c.expect["via"] for c in CASES if "via" in c.expect}
    steps |= {via for c in CASES for _, via in c.expect.get("candidates", [])}
    warnings = {w for c in CASES for w in c.expect.get("warnings", [])}
    assert CODES - errors == set()
    assert STEPS - steps == set()
    assert WARNINGS - warnings == set()
    assert {c.ask for c in CASES} == {"resolve", "candidates", "models", "active", "key", "load"}
    assert {c.env for c in CASES} >= {None, "dev"}
    assert any(c.lang == "fa" for c in CASES)
    assert any(c.query.get("strict") for c in CASES)
    assert any("needs" in c.query for c in CASES) and any("prefer" in c.query for c in CASES)
    assert any(c.ask == "key" and "group" in c.query for c in CASES)


def test_every_load_case_is_said_in_english_and_persian() -> None:
    load = [c for c in CASES if c.ask == "load"]
    assert {c.lang for c in load} == {"en", "fa"}
    for code in ("digest_mismatch", "unsupported_version", "invalid_manifest"):
        assert {c.lang for c in load if c.expect["error"] == code} == {"en", "fa"}, code
    assert all(c.message and "{manifest}" in c.message for c in load)
