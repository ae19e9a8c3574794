"""The ``params-limit`` rule through the real validator."""

from __future__ import annotations

from conftest import Check, read_base
from regctl.messages.problems import Severity
from regctl.pipeline.rules import documentation

ID = "params-limit"


def _acme(provider_defaults: str = "", model_defaults: str = "") -> str:
    text = read_base("providers/acme.yaml").replace(
        "    pricing: {input_per_mtok: 2.5, output_per_mtok: 10}\n",
        "    pricing: {input_per_mtok: 2.5, output_per_mtok: 10}\n"
        "    limits: {context_window: 128000, max_output_tokens: 4000}\n" + model_defaults,
    )
    return text.replace("credentials:", provider_defaults + "credentials:")


def _template(params: str, pin: str | None = None) -> str:
    model = f"model: {pin}\n" if pin else ""
    return (
        "apiVersion: regctl/v1\nkind: PromptTemplate\nid: t\ncapability: chat\n"
        f"{model}params: {params}\nuser: hi\n"
    )


def test_provider_default_above_a_models_output_limit_is_an_error(check: Check) -> None:
    [p] = check({"providers/acme.yaml": _acme("defaults: {max_tokens: 4096}\n")}, rule=ID)
    assert p.severity is Severity.ERROR
    assert p.message == (
        "provider 'acme' defaults give model 'acme/acme-large' max_tokens 4096, "
        "above its max_output_tokens 4000"
    )
    assert (p.location.file.endswith("acme.yaml"), p.location.line) == (True, 5)


def test_a_models_own_lower_default_fixes_it(check: Check) -> None:
    files = {
        "providers/acme.yaml": _acme(
            "defaults: {max_tokens: 4096}\n", "    defaults: {max_tokens: 4000}\n"
        )
    }
    assert check(files, rule=ID) == []
    files = {"providers/acme.yaml": _acme("", "    defaults: {max_tokens: 9000}\n")}
    [p] = check(files, rule=ID)
    assert p.message.startswith("the model's defaults give model 'acme/acme-large' max_tokens 9000")


def test_template_params_pinned_error_unpinned_warning(check: Check) -> None:
    files = {
        "providers/acme.yaml": _acme(),
        "prompts/p.yaml": _template("{max_tokens: 5000}", "acme/acme-large"),
    }
    [p] = check(files, rule=ID)
    assert p.severity is Severity.ERROR
    assert "template 't' asks for max_tokens 5000, above the max_output_tokens 4000" in p.message
    files["prompts/p.yaml"] = _template("{max_tokens: 5000}")
    [p] = check(files, rule=ID)
    assert p.severity is Severity.WARNING and "'acme/acme-large'" in p.message
    files["prompts/p.yaml"] = _template("{max_tokens: 4000}")
    assert check(files, rule=ID) == []


def test_environment_overlays_are_checked(check: Check) -> None:
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: prod\n"
        "providers:\n  acme:\n    defaults: {max_tokens: 8000}\n"
    )
    [p] = check({"providers/acme.yaml": _acme(), "environments/prod.yaml": env}, rule=ID)
    assert "in environment 'prod'" in p.message


def test_rule_is_documented() -> None:
    assert "max_output_tokens" in documentation()[ID]


def _anthropic(provider_defaults: str = "", model_defaults: str = "") -> str:
    return _acme(provider_defaults, model_defaults).replace(
        "credentials:", "api: anthropic\ncredentials:"
    )


def test_temperature_above_the_anthropic_apis_maximum_is_an_error(check: Check) -> None:
    [p] = check({"providers/acme.yaml": _anthropic("defaults: {temperature: 1.5}\n")}, rule=ID)
    assert p.severity is Severity.ERROR
    assert p.message == (
        "provider 'acme' defaults give temperature 1.5, above the maximum 1 of the anthropic API"
    )
    assert (p.location.file.endswith("acme.yaml"), p.location.line) == (True, 5)
    # The same value is within what the OpenAI protocol (the default api) accepts.
    assert check({"providers/acme.yaml": _acme("defaults: {temperature: 1.5}\n")}, rule=ID) == []
    # A model's own value is checked too, and wins over the provider's.
    own = _anthropic("", "    defaults: {temperature: 1.7}\n")
    [p] = check({"providers/acme.yaml": own}, rule=ID)
    assert p.message == (
        "the model's defaults give model 'acme/acme-large' temperature 1.7, "
        "above the maximum 1 of the anthropic API"
    )


def test_template_temperature_pinned_error_unpinned_warning(check: Check) -> None:
    files = {
        "providers/acme.yaml": _anthropic(),
        "prompts/p.yaml": _template("{temperature: 1.2}", "acme/acme-large"),
    }
    [p] = check(files, rule=ID)
    assert p.severity is Severity.ERROR
    assert p.message == (
        "template 't' asks for temperature 1.2, above the maximum 1 of the anthropic "
        "API of 'acme/acme-large'"
    )
    files["prompts/p.yaml"] = _template("{temperature: 1.2}")
    [p] = check(files, rule=ID)
    assert p.severity is Severity.WARNING
    files["prompts/p.yaml"] = _template("{temperature: 1}")
    assert check(files, rule=ID) == []
