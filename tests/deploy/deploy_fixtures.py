"""Sealed manifests for plan/apply tests (imported by the tests in this folder)."""

from __future__ import annotations

import copy
from typing import Any

from regctl.canonical import dumps_pretty, seal


def _model(provider: str, mid: str, active: list[str], price: float = 1.0) -> dict[str, Any]:
    return {
        "provider": provider,
        "id": mid,
        "upstream_id": mid,
        "display_name": mid.upper(),
        "capabilities": ["chat", "code"],
        "active": active,
        "supports": {"streaming": True},
        "defaults": {},
        "pricing": {"input_per_mtok": price, "output_per_mtok": price * 4, "currency": "USD"},
    }


def build_manifest(
    env: str | None = "prod", extra_models: int = 0, **changes: Any
) -> dict[str, Any]:
    """A sealed manifest shaped like docs/manifest.md; ``changes`` override top-level keys."""
    providers = {
        "openai": {
            "id": "openai",
            "display_name": "OpenAI",
            "api": "openai",
            "base_url": "https://api.openai.com/v1",
            "enabled": True,
            "credentials": ["env:OPENAI_API_KEY"],
            "allow_shared_credentials": True,
            "defaults": {},
        },
        "anthropic": {
            "id": "anthropic",
            "display_name": "Anthropic",
            "api": "anthropic",
            "base_url": "https://api.anthropic.com",
            "enabled": True,
            "credentials": ["env:ANTHROPIC_API_KEY"],
            "allow_shared_credentials": True,
            "defaults": {},
        },
    }
    models = {
        "openai/gpt-4o": _model("openai", "gpt-4o", ["chat"], 2.5),
        "openai/gpt-4o-mini": _model("openai", "gpt-4o-mini", [], 0.15),
        "anthropic/claude": _model("anthropic", "claude", ["chat"], 3.0),
    }
    for i in range(extra_models):
        models[f"openai/bulk-{i:05d}"] = _model("openai", f"bulk-{i:05d}", [], 1.0 + i % 7)
    doc: dict[str, Any] = {
        "apiVersion": "regctl/v1",
        "kind": "Manifest",
        "environment": env,
        "source": {"digest": "sha256:" + "0" * 64, "commit": None},
        "registry": {
            "name": "test",
            "capabilities": ["chat", "code"],
            "secret_schemes": [],
            "policy": {"deprecation_warning_days": 30},
        },
        "providers": providers,
        "models": models,
        "active": {"openai": {"chat": "openai/gpt-4o"}, "anthropic": {"chat": "anthropic/claude"}},
        "defaults": {"chat": "openai"},
        "fallbacks": {"chat": ["anthropic"]},
        "templates": {},
    }
    doc.update(copy.deepcopy(changes))
    return seal(doc)


def switch_active(doc: dict[str, Any]) -> dict[str, Any]:
    """``openai chat: gpt-4o -> gpt-4o-mini`` (a new sealed manifest)."""
    new = copy.deepcopy(doc)
    new["models"]["openai/gpt-4o"]["active"] = []
    new["models"]["openai/gpt-4o-mini"]["active"] = ["chat"]
    new["active"]["openai"]["chat"] = "openai/gpt-4o-mini"
    return seal(new)


def text_of(doc: dict[str, Any]) -> str:
    return dumps_pretty(doc)
