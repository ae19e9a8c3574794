"""Lookups, the resolution order of docs/client.md, candidates, cost and immutability."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from client_fixtures import base_doc, doc, write_manifest

from regctl.client import (
    NoActiveModel,
    PricingError,
    Registry,
    ResolutionError,
    UnknownCapability,
    UnknownModel,
    UnknownProvider,
    UnknownTemplate,
)


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    return Registry.load(write_manifest(tmp_path / "manifest.lock.json"))


def test_active_model(reg: Registry) -> None:
    m = reg.active_model("openai", "chat")
    assert m is not None and m.key == "openai/gpt-4o" and m.upstream_id == "gpt-4o-2024-08-06"
    assert reg.active_model("openai", "chat") is m  # built once, then shared
    assert reg.active_model("openai", "image") is None
    assert reg.active_model("off", "chat") is None  # disabled: nothing resolves to it
    with pytest.raises(UnknownProvider, match=r"'nope'.*known: anthropic"):
        reg.active_model("nope", "chat")
    with pytest.raises(UnknownCapability, match="'chatt'"):
        reg.active_model("openai", "chatt")


def test_models_filters(reg: Registry) -> None:
    assert [m.key for m in reg.models("openai")] == [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "openai/o1",
        "openai/text-embedding-3-small",
    ]
    assert [m.key for m in reg.models(capability="chat", active=True)] == [
        "anthropic/claude-3-5-sonnet",
        "backup/meta/llama-3",
        "off/x1",
        "openai/gpt-4o",
    ]
    assert [m.key for m in reg.models("openai", "chat", active=False)] == [
        "openai/gpt-4o-mini",
        "openai/o1",
    ]
    assert len(reg.models()) == len(base_doc()["models"])
    with pytest.raises(UnknownProvider):
        reg.models("ghost")
    with pytest.raises(UnknownCapability):
        reg.models(capability="telepathy")


def test_model_lookup(reg: Registry) -> None:
    assert reg.model("backup/meta/llama-3").id == "meta/llama-3"  # splits at the first "/"
    assert reg.model("meta/llama-3", provider="backup").provider == "backup"
    with pytest.raises(UnknownModel, match="provider/model"):
        reg.model("gpt-4o")


def test_resolve_order(reg: Registry) -> None:
    # 1. explicit model, even an inactive one (with a warning saying so)
    r = reg.resolve("chat", model="openai/gpt-4o-mini")
    assert (r.model.key, r.via) == ("openai/gpt-4o-mini", "model")
    assert [w.code for w in r.warnings] == ["model_inactive"]
    # 2. the template's model
    r = reg.resolve(template="pinned")
    assert (r.model.key, r.via, r.template) == ("anthropic/claude-3-5-sonnet", "template", "pinned")
    # 3. the provider's active model
    r = reg.resolve("chat", provider="anthropic")
    assert (r.model.key, r.via) == ("anthropic/claude-3-5-sonnet", "provider")
    # 4. the registry default provider
    r = reg.resolve("chat")
    assert (r.model.key, r.via) == ("openai/gpt-4o", "default")
    # naming a provider means that provider; other vendors only with fallback=True
    with pytest.raises(NoActiveModel, match="tried: bedrock"):
        reg.resolve("chat", provider="bedrock")
    r = reg.resolve("chat", provider="bedrock", fallback=True)
    assert (r.provider.id, r.via) == ("openai", "default")
    # 5. the fallbacks, skipping the disabled provider
    body = doc(defaults={})
    reg2 = Registry.load(write_manifest(Path(reg.source), body))
    r = reg2.resolve("chat")
    assert (r.model.key, r.via) == ("anthropic/claude-3-5-sonnet", "fallback")


def test_resolve_without_fallback_and_failures(reg: Registry) -> None:
    with pytest.raises(NoActiveModel, match="'image'"):
        reg.resolve("image")
    with pytest.raises(NoActiveModel, match="tried: bedrock"):
        reg.resolve("chat", provider="bedrock", fallback=False)
    assert reg.resolve("chat", fallback=False).via == "default"  # the default only
    with pytest.raises(UnknownProvider):
        reg.resolve("chat", provider="ghost")
    with pytest.raises(UnknownCapability):
        reg.resolve("telepathy")
    with pytest.raises(UnknownTemplate):
        reg.resolve(template="ghost")
    with pytest.raises(ResolutionError, match="does not have capability 'embedding'"):
        reg.resolve("embedding", model="openai/gpt-4o")
    with pytest.raises(ResolutionError, match="disabled provider 'off'"):
        reg.resolve("chat", model="off/x1")
    with pytest.raises(UnknownModel):
        reg.resolve("chat", model="openai/ghost")


def test_template_capability_and_params(reg: Registry) -> None:
    r = reg.resolve("embedding", template="summarize", params={"max_tokens": 50})
    # the template's capability wins; call > template > model > provider defaults
    assert r.capability == "chat"
    assert dict(r.params) == {"temperature": 0.1, "max_tokens": 50}
    r = reg.resolve("chat")
    assert dict(r.params) == {"temperature": 0.3, "max_tokens": 1024}
    assert r.call_kwargs() == {"model": "gpt-4o-2024-08-06", "temperature": 0.3, "max_tokens": 1024}
    assert reg.resolve("chat", provider="backup").params["max_tokens"] == 256


def test_candidates(reg: Registry) -> None:
    assert [(c.model.key, c.via) for c in reg.candidates("chat")] == [
        ("openai/gpt-4o", "default"),
        ("anthropic/claude-3-5-sonnet", "fallback"),
        ("backup/meta/llama-3", "fallback"),
    ]
    assert [c.provider.id for c in reg.candidates("chat", provider="backup")] == ["backup"]
    assert [c.provider.id for c in reg.candidates("chat", provider="backup", fallback=True)] == [
        "backup",
        "openai",
        "anthropic",
    ]
    assert reg.candidates("image") == []


def test_resolved_fields_and_openai_client(reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import require_module

    openai = require_module("openai")
    monkeypatch.setenv("RC_TEST_OPENAI_KEY", "sk-test-123")
    r = reg.resolve("chat", provider="openai")
    assert (r.api, r.base_url, r.upstream_id) == (
        "openai",
        "https://api.openai.com/v1",
        "gpt-4o-2024-08-06",
    )
    client = openai.OpenAI(**r.openai_kwargs())
    assert str(client.base_url).rstrip("/") == "https://api.openai.com/v1"
    assert client.api_key == "sk-test-123"
    r2 = reg.resolve("chat", provider="backup")
    client = openai.OpenAI(**r2.openai_kwargs(personal="mine"))
    assert str(client.base_url).rstrip("/") == "http://127.0.0.1:9/v1"
    with pytest.raises(ResolutionError, match="'anthropic' protocol"):
        reg.resolve("chat", provider="anthropic").openai_kwargs(personal="k")


def test_cost(reg: Registry) -> None:
    assert reg.cost("openai/gpt-4o", 1_000_000, 1_000_000) == Decimal("12.5")
    # cached tokens are part of the input, billed at the cached price:
    # 600 * 2.5 + 400 * 1.25 + 500 * 10 = 7000 per million
    assert reg.cost("openai/gpt-4o", 1000, 500, cached_input_tokens=400) == Decimal("0.007")
    assert reg.cost("openai/gpt-4o-mini", 1000, 1000, 1000) == Decimal("0.00075")  # no cached price
    assert reg.cost(reg.resolve("chat"), 3, 0) == Decimal("0.0000075")
    assert isinstance(reg.cost("openai/text-embedding-3-small", 10, 0), Decimal)
    with pytest.raises(PricingError, match="no output_per_mtok"):
        reg.cost("openai/text-embedding-3-small", 10, 5)
    with pytest.raises(PricingError, match="no pricing"):
        reg.cost("openai/o1", 1, 1)
    with pytest.raises(PricingError, match=">= 0"):
        reg.cost("openai/gpt-4o", -1, 1)
    with pytest.raises(PricingError, match="exceed"):
        reg.cost("openai/gpt-4o", 1, 1, 2)
    with pytest.raises(UnknownModel):
        reg.cost("openai/ghost", 1, 1)


def test_immutable(reg: Registry) -> None:
    m = reg.active_model("openai", "chat")
    assert m is not None
    with pytest.raises(AttributeError):
        m.upstream_id = "evil"  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.pricing["input_per_mtok"] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        reg._state = None  # type: ignore[assignment]
    with pytest.raises(TypeError):
        reg.templates["pinned"]["params"]["max_tokens"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        reg.providers["x"] = None  # type: ignore[index]
    assert reg.provider("openai").credentials == ("env:RC_TEST_OPENAI_KEY",)
    assert reg.environment == "prod" and reg.digest.startswith("sha256:")
    assert reg.templates["summarize"]["user"] == "{{ text }}"
