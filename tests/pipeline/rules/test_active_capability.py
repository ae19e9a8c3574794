"""active-capability: `active: [x]` only for capabilities the model has."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

BETA = read_base("providers/beta.yaml")


def test_typo_in_active_list_gets_a_did_you_mean(check: Check) -> None:
    text = BETA.replace("active: [chat]", "active: [caht]")
    (p,) = check({"providers/beta.yaml": text}, rule="active-capability")
    assert "'caht', which is not one of its capabilities (chat)" in p.message
    assert "did you mean 'chat'" in p.message and (p.location.line, p.location.col) == (12, 14)


def test_in_an_environment_overlay(check: Check) -> None:
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: qa\n"
        "providers:\n  beta:\n    models:\n      beta-chat: {active: [chat, vision]}\n"
    )
    (p,) = check({"environments/qa.yaml": env}, rule="active-capability")
    assert "in environment 'qa'" in p.message and p.location.file.endswith("qa.yaml")
