"""single-active: one active model per provider+capability, per environment."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

ACME = read_base("providers/acme.yaml")


def test_base_registry_is_clean(check: Check) -> None:
    assert check({}) == []


def test_two_active_models_name_both_places(check: Check) -> None:
    (p,) = check({"providers/acme.yaml": ACME + "    active: true\n"}, rule="single-active")
    assert "provider 'acme' has 2 active models for capability 'chat'" in p.message
    assert "acme-large (" in p.message and "acme-small (" in p.message
    assert p.location.line == 15 and [r.line for r in p.related] == [10]


def test_partial_activation_does_not_conflict(check: Check) -> None:
    # acme-large is active for chat+vision; making it vision-only frees chat for acme-small
    text = ACME.replace("    active: true\n", "    active: [vision]\n", 1) + "    active: [chat]\n"
    assert check({"providers/acme.yaml": text}, rule="single-active") == []


def test_three_way_conflict_is_one_problem_per_capability(check: Check) -> None:
    extra = (
        "  - id: acme-x\n    display_name: X\n    capabilities: [chat, vision]\n    active: true\n"
    )
    got = check({"providers/acme.yaml": ACME + "    active: true\n" + extra}, rule="single-active")
    by_cap = {p.message.split("capability '")[1].split("'")[0]: p for p in got}
    assert sorted(by_cap) == ["chat", "vision"]
    assert "has 3 active models" in by_cap["chat"].message
    assert "has 2 active models" in by_cap["vision"].message


def test_conflict_only_in_one_environment_points_at_the_overlay(check: Check) -> None:
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: qa\n"
        "providers:\n  acme:\n    models:\n      acme-small: {active: [chat]}\n"
    )
    (p,) = check({"environments/qa.yaml": env}, rule="single-active")
    assert "in environment 'qa'" in p.message
    assert p.location.file.endswith("environments/qa.yaml") and p.location.line == 7


def test_environment_can_resolve_a_base_conflict(check: Check) -> None:
    """The base conflict is reported once, not again for an environment that keeps it."""
    env = "apiVersion: regctl/v1\nkind: Environment\nid: qa\n"
    got = check({"providers/acme.yaml": ACME + "    active: true\n", "environments/qa.yaml": env})
    assert [p.rule for p in got] == ["single-active"]
