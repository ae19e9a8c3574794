"""unknown-reference: every name that points somewhere must exist."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

REG = read_base("registry.yaml")


def test_default_and_fallback_providers(check: Check) -> None:
    text = REG.replace("chat: acme", "chat: acm").replace("chat: [beta]", "chat: [beta, gamma]")
    got = check({"registry.yaml": text}, rule="unknown-reference")
    assert [(p.location.line, "did you mean 'acme'" in p.message) for p in got] == [
        (5, True),
        (7, False),
    ]


def test_standalone_model_with_unknown_provider(check: Check) -> None:
    doc = (
        "apiVersion: regctl/v1\nkind: Model\nprovider: acne\n"
        "id: m\ndisplay_name: M\ncapabilities: [chat]\n"
    )
    (p,) = check({"models/m.yaml": doc}, rule="unknown-reference")
    assert "names provider 'acne'" in p.message and "did you mean 'acme'" in p.message


def test_target_for_an_environment_that_does_not_exist(check: Check) -> None:
    text = REG + "targets:\n  prod: file:deploy/prod.json\n"
    (p,) = check({"registry.yaml": text}, rule="unknown-reference")
    assert "targets names environment 'prod'" in p.message and p.location.line == 9


def test_environment_override_of_defaults(check: Check) -> None:
    env = "apiVersion: regctl/v1\nkind: Environment\nid: qa\ndefaults:\n  chat: nobody\n"
    (p,) = check({"environments/qa.yaml": env}, rule="unknown-reference")
    assert "in environment 'qa'" in p.message and p.location.file.endswith("qa.yaml")


def test_a_broken_file_does_not_cascade(check: Check) -> None:
    """If beta's file does not parse, references to beta are not reported as dangling."""
    got = check({"providers/beta.yaml": "apiVersion: regctl/v1\nkind: Provider\nid: [beta\n"})
    assert [p.rule for p in got] == ["yaml-syntax"]
