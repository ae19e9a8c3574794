"""Capability names come from the vocabulary plus the Registry's own (rule id `schema`)."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

REG = read_base("registry.yaml")
ACME = read_base("providers/acme.yaml")


def test_unknown_capability_in_model_and_defaults(check: Check) -> None:
    got = check(
        {
            "providers/acme.yaml": ACME.replace(
                "capabilities: [chat]\n", "capabilities: [chat, chatt]\n"
            ),
            "registry.yaml": REG.replace("  chat: acme\n", "  chat: acme\n  embedings: acme\n"),
        },
        rule="schema",
    )
    msgs = {p.message.split("'")[1]: p.message for p in got}
    assert sorted(msgs) == ["chatt", "embedings"]
    assert "in model 'acme/acme-small'" in msgs["chatt"]
    assert "did you mean 'embedding'" in msgs["embedings"]


def test_registry_can_declare_new_capabilities(check: Check) -> None:
    files = {
        "registry.yaml": REG + "capabilities: [translation]\n",
        "providers/acme.yaml": ACME.replace(
            "capabilities: [chat]\n", "capabilities: [translation]\n"
        ),
    }
    assert check(files) == []
