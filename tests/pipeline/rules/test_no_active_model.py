"""no-active-model: a default or fallback provider should serve the capability."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

from regctl.messages.problems import Severity

REG = read_base("registry.yaml")
BETA = read_base("providers/beta.yaml")


def test_fallback_provider_without_an_active_model_warns(check: Check) -> None:
    (p,) = check({"providers/beta.yaml": BETA.replace("    active: [chat]\n", "")})
    assert p.rule == "no-active-model" and p.severity is Severity.WARNING
    assert "fallbacks.chat names provider 'beta'" in p.message and p.location.line == 7


def test_disabled_provider_is_said_so(check: Check) -> None:
    text = BETA.replace("display_name: Beta\n", "display_name: Beta\nenabled: false\n")
    (p,) = check({"providers/beta.yaml": text})
    assert "(the provider is disabled)" in p.message
