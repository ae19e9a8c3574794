"""Manifests for the client tests, built the way the compiler writes them (seal + pretty)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from regctl.base.canonical import dumps_pretty, seal

_VOCABULARY = (
    "chat completion embedding image vision audio speech transcription code tools"
    " reasoning rerank moderation"
)
CAPABILITIES = sorted(_VOCABULARY.split())
PLUGIN_DIR = Path(__file__).resolve().parent / "secret_plugin"


def _model(
    provider: str, mid: str, caps: list[str], active: list[str], **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "provider": provider,
        "id": mid,
        "upstream_id": extra.pop("upstream_id", mid),
        "display_name": mid.upper(),
        "capabilities": caps,
        "active": sorted(active),
        "supports": {"streaming": True},
        "defaults": extra.pop("defaults", {}),
    }
    entry.update(extra)
    return entry


def _provider(
    pid: str, api: str, base_url: str | None, creds: list[str], **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": pid,
        "display_name": pid.title(),
        "api": api,
        "enabled": extra.pop("enabled", True),
        "credentials": creds,
        "allow_shared_credentials": extra.pop("allow_shared_credentials", True),
        "defaults": extra.pop("defaults", {}),
    }
    if base_url is not None:
        entry["base_url"] = base_url
    entry.update(extra)
    return entry


def base_doc() -> dict[str, Any]:
    """A small but complete manifest body (no digest yet)."""
    models = [
        _model(
            "openai",
            "gpt-4o",
            ["chat", "vision", "tools"],
            ["chat", "vision"],
            upstream_id="gpt-4o-2024-08-06",
            defaults={"temperature": 0.3},
            limits={"context_window": 128000, "max_output_tokens": 16384},
            pricing={
                "input_per_mtok": 2.5,
                "output_per_mtok": 10.0,
                "cached_input_per_mtok": 1.25,
                "currency": "USD",
            },
        ),
        _model(
            "openai",
            "gpt-4o-mini",
            ["chat"],
            [],
            pricing={"input_per_mtok": 0.15, "output_per_mtok": 0.6, "currency": "USD"},
        ),
        _model(
            "openai",
            "text-embedding-3-small",
            ["embedding"],
            ["embedding"],
            pricing={"input_per_mtok": 0.02, "currency": "USD"},
        ),
        _model("openai", "o1", ["chat", "reasoning"], ["reasoning"]),
        _model(
            "anthropic",
            "claude-3-5-sonnet",
            ["chat", "vision"],
            ["chat"],
            description='Strong "coder": handles: colons, \\ backslashes and ünïcode',
        ),
        _model("backup", "meta/llama-3", ["chat"], ["chat"]),
        _model("off", "x1", ["chat"], ["chat"]),
    ]
    return {
        "apiVersion": "regctl/v1",
        "kind": "Manifest",
        "environment": "prod",
        "source": {"digest": "sha256:" + "0" * 64, "commit": None},
        "registry": {
            "name": "test",
            "capabilities": CAPABILITIES,
            "secret_schemes": ["testvault"],
            "policy": {"deprecation_warning_days": 30},
        },
        "providers": {
            "openai": _provider(
                "openai",
                "openai",
                "https://api.openai.com/v1",
                ["env:RC_TEST_OPENAI_KEY"],
                defaults={"temperature": 0.7, "max_tokens": 1024},
            ),
            "anthropic": _provider(
                "anthropic",
                "anthropic",
                "https://api.anthropic.com",
                ["env:RC_TEST_ANTHROPIC_KEY"],
                allow_shared_credentials=False,
            ),
            "backup": _provider(
                "backup",
                "openai-compatible",
                "http://127.0.0.1:9/v1",
                ["testvault:backup"],
                defaults={"max_tokens": 256},
            ),
            "off": _provider("off", "openai", "https://api.openai.com/v1", [], enabled=False),
            "bedrock": _provider("bedrock", "bedrock", None, []),
        },
        "models": {f"{m['provider']}/{m['id']}": m for m in models},
        "active": {
            "openai": {
                "chat": "openai/gpt-4o",
                "vision": "openai/gpt-4o",
                "embedding": "openai/text-embedding-3-small",
                "reasoning": "openai/o1",
            },
            "anthropic": {"chat": "anthropic/claude-3-5-sonnet"},
            "backup": {"chat": "backup/meta/llama-3"},
            "bedrock": {},
        },
        "defaults": {"chat": "openai", "embedding": "openai", "vision": "openai"},
        "fallbacks": {"chat": ["off", "anthropic", "backup"], "vision": ["anthropic"]},
        "templates": {
            "summarize": {
                "id": "summarize",
                "capability": "chat",
                "variables": {},
                "system": "Be brief.",
                "user": "{{ text }}",
                "params": {"temperature": 0.1},
            },
            "pinned": {
                "id": "pinned",
                "model": "anthropic/claude-3-5-sonnet",
                "variables": {},
                "user": "hi",
                "params": {"max_tokens": 200},
            },
        },
    }


def doc(**changes: Any) -> dict[str, Any]:
    """``base_doc()`` with top-level keys replaced."""
    d = copy.deepcopy(base_doc())
    d.update(changes)
    return d


def manifest_text(body: dict[str, Any]) -> str:
    """The file form the compiler writes."""
    return dumps_pretty(seal(body))


def write_manifest(path: Path, body: dict[str, Any] | None = None) -> Path:
    """Seal ``body`` (default ``base_doc()``) and write it where ``path`` says."""
    path.write_text(manifest_text(base_doc() if body is None else body), encoding="utf-8")
    return path
