"""The ``template-pin`` rule through the real validator."""

from __future__ import annotations

import datetime as dt

from conftest import Check, read_base
from regctl.messages.problems import Severity
from regctl.pipeline.rules import documentation

ID = "template-pin"


def _template(model: str, capability: str | None = "chat") -> str:
    cap = f"capability: {capability}\n" if capability else ""
    return (
        f"apiVersion: regctl/v1\nkind: PromptTemplate\nid: pinned\nmodel: {model}\n{cap}user: hi\n"
    )


def test_active_pin_is_clean(check: Check) -> None:
    assert check({"prompts/p.yaml": _template("acme/acme-large")}, rule=ID) == []


def test_inactive_pin_with_capability_warns_and_names_the_fallback(check: Check) -> None:
    [p] = check({"prompts/p.yaml": _template("acme/acme-small")}, rule=ID)
    assert p.severity is Severity.WARNING
    assert (p.location.line, p.location.col) == (4, 8)
    assert p.message == (
        "template 'pinned' pins 'acme/acme-small', but it is inactive: "
        "it falls back to 'acme/acme-large' for capability 'chat'"
    )


def test_pin_without_capability_that_cannot_serve_is_an_error(check: Check) -> None:
    [p] = check({"prompts/p.yaml": _template("acme/acme-small", None)}, rule=ID)
    assert p.severity is Severity.ERROR
    assert "names no 'capability' to fall back on" in p.message


def test_fallback_that_resolves_to_nothing_is_an_error(check: Check) -> None:
    [p] = check({"prompts/p.yaml": _template("acme/acme-small", "vision")}, rule=ID)
    assert p.severity is Severity.ERROR
    assert "no default or fallback provider has an active model for capability 'vision'" in (
        p.message
    )


def test_deprecated_pin_depends_on_the_date(check: Check) -> None:
    provider = (
        "apiVersion: regctl/v1\nkind: Provider\nid: acme\ndisplay_name: Acme AI\n"
        "credentials: [env:ACME_API_KEY]\nmodels:\n"
        "  - id: acme-large\n    display_name: Acme Large\n    capabilities: [chat, vision]\n"
        "    active: [chat, vision]\n    deprecated: 2026-07-01\n"
        "  - id: acme-small\n    display_name: Acme Small\n    capabilities: [chat]\n"
    )
    beta = read_base("providers/beta.yaml").replace("active: [chat]", "active: false")
    acme_small = "'acme/acme-small'"
    files = {"providers/acme.yaml": provider, "prompts/p.yaml": _template("acme/acme-large")}
    assert check(files, rule=ID, as_of=dt.date(2026, 6, 1)) == []
    [p] = check(files, rule=ID, as_of=dt.date(2026, 7, 1))
    assert p.severity is Severity.WARNING
    assert "deprecated since 2026-07-01" in p.message and "'beta/beta-chat'" in p.message
    files["providers/beta.yaml"] = beta
    [p] = check(files, rule=ID, as_of=dt.date(2026, 7, 1))
    assert acme_small not in p.message


def test_environment_that_disables_the_provider(check: Check) -> None:
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: prod\n"
        "providers:\n  acme:\n    enabled: false\n"
    )
    files = {"prompts/p.yaml": _template("acme/acme-large"), "environments/prod.yaml": env}
    [p] = check(files, rule=ID)
    assert p.severity is Severity.WARNING
    assert "its provider 'acme' is disabled in environment 'prod'" in p.message
    assert "falls back to 'beta/beta-chat'" in p.message


def test_pin_active_for_another_capability_only_cannot_serve(check: Check) -> None:
    provider = read_base("providers/acme.yaml").replace("active: true", "active: [vision]")
    files = {"providers/acme.yaml": provider, "prompts/p.yaml": _template("acme/acme-large")}
    [p] = check(files, rule=ID)
    assert "it is not active for capability 'chat'" in p.message
    assert "falls back to 'beta/beta-chat'" in p.message


def test_rule_is_documented() -> None:
    doc = documentation()[ID]
    assert "warning" in doc and "error" in doc and "template_pin_unusable" in doc
