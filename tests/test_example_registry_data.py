"""Checks of the bundled example registry (`registry/`) in plain Python.

These run without the regctl validator so the example data can be checked on its
own: every document parses, has a known kind and its required fields, secret
references only, and exactly one active model per provider+capability in the
base registry and in every environment once its overlay is applied.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from registry_data import (  # noqa: E402 - needs the sys.path line above
    active_caps,
    active_index,
    load_docs,
    of_kind,
    providers_for,
)

REGISTRY = REPO / "registry"

KINDS = {"Provider", "Model", "Registry", "Environment", "PromptTemplate"}
APIS = {"openai", "anthropic", "gemini", "azure-openai", "bedrock", "openai-compatible"}
CAPABILITIES = {
    "chat", "completion", "embedding", "image", "vision", "audio", "speech",
    "transcription", "code", "tools", "reasoning", "rerank", "moderation",
}  # fmt: skip
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$")
ENV_REF = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")
# Shapes of real provider keys (rule plaintext-secret, docs/rules.md); none may appear.
KEY_LIKE = re.compile(r"(?<![A-Za-z0-9])(sk-|sk-ant-|xai-|AIza|gsk_)[A-Za-z0-9_-]{8,}")


def _files() -> list[Path]:
    return sorted(p for p in REGISTRY.rglob("*") if p.suffix in {".yaml", ".yml"})


DOCS = load_docs(REGISTRY)
ENVIRONMENTS = [None, *(e["id"] for e in of_kind(DOCS, "Environment"))]


def _by_kind(kind: str) -> list[dict[str, Any]]:
    return of_kind(DOCS, kind)


def _active(env_id: str | None) -> dict[str, dict[str, list[str]]]:
    return active_index(providers_for(DOCS, env_id))


def test_layout_and_schema_comment() -> None:
    files = {p.relative_to(REGISTRY).as_posix() for p in _files()}
    assert files == {
        "registry.yaml",
        "providers/openai.yaml",
        "providers/xai.yaml",
        "providers/anthropic.yaml",
        "providers/openrouter.yaml",
        "environments/dev.yaml",
        "environments/prod.yaml",
        "prompts/summarize.yaml",
    }
    for path in _files():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), path
        target = (path.parent / first[len(prefix) :]).resolve()
        assert target == REPO / "schemas" / "registry.schema.json", path


def test_every_document_has_api_version_and_known_kind() -> None:
    docs = DOCS
    assert docs
    for path, doc in docs:
        assert doc.get("apiVersion") == "regctl/v1", path
        assert doc.get("kind") in KINDS, path
    assert len(_by_kind("Registry")) == 1


def test_providers_have_required_fields() -> None:
    providers = _by_kind("Provider")
    assert {p["id"] for p in providers} == {"openai", "xai", "anthropic", "openrouter"}
    for p in providers:
        assert PROVIDER_ID.match(p["id"]) and p["display_name"]
        assert p.get("api", "openai") in APIS
        if p.get("api") in {"openai-compatible", "azure-openai"}:
            assert re.match(r"^https://", p["base_url"]), p["id"]
        assert p["credentials"] and all(ENV_REF.match(c) for c in p["credentials"]), p["id"]
        for key, value in (p.get("labels") or {}).items():
            assert isinstance(key, str) and isinstance(value, str), (p["id"], key)
        ids = [m["id"] for m in p["models"]]
        assert len(ids) == len(set(ids)), f"duplicate model id in {p['id']}"
    # One provider shows an ordered key chain.
    assert any(len(p["credentials"]) >= 2 for p in providers)


def test_models_have_required_and_consistent_fields() -> None:
    for p in _by_kind("Provider"):
        for m in p["models"]:
            where = f"{p['id']}/{m['id']}"
            assert MODEL_ID.match(m["id"]) and m["display_name"], where
            caps = m["capabilities"]
            assert caps and set(caps) <= CAPABILITIES, where
            active = m.get("active", False)
            assert isinstance(active, bool) or set(active) <= set(caps), where
            limits = m.get("limits") or {}
            assert all(isinstance(v, int) and v > 0 for v in limits.values()), where
            if "max_output_tokens" in limits:
                assert limits["max_output_tokens"] <= limits["context_window"], where
            pricing = m.get("pricing")
            if pricing:
                assert pricing["currency"] == "USD", where
                numbers = [v for k, v in pricing.items() if k != "currency"]
                assert all(isinstance(v, (int, float)) and v >= 0 for v in numbers), where
            assert isinstance(m["released"], dt.date), where
            if "deprecated" in m:
                assert m["deprecated"] > m["released"], where


def test_headline_facts() -> None:
    """The figures issue 2 names explicitly."""
    models = {(p["id"], m["id"]): m for p in _by_kind("Provider") for m in p["models"]}
    sonnet = models[("anthropic", "claude-3-5-sonnet-20241022")]
    assert sonnet["limits"] == {"context_window": 200000, "max_output_tokens": 8192}
    assert (sonnet["pricing"]["input_per_mtok"], sonnet["pricing"]["output_per_mtok"]) == (3, 15)
    assert models[("openrouter", "gpt-4o")]["upstream_id"] == "openai/gpt-4o"
    xai = next(p for p in _by_kind("Provider") if p["id"] == "xai")
    assert (xai["api"], xai["base_url"]) == ("openai-compatible", "https://api.x.ai/v1")


@pytest.mark.parametrize("env_id", ENVIRONMENTS, ids=lambda e: e or "base")
def test_exactly_one_active_model_per_provider_capability(env_id: str | None) -> None:
    for pid, caps in _active(env_id).items():
        for cap, active in caps.items():
            assert len(active) == 1, f"{env_id or 'base'}: {pid}/{cap} active: {active}"


@pytest.mark.parametrize("env_id", ENVIRONMENTS, ids=lambda e: e or "base")
def test_no_active_model_deprecated_or_deprecating_soon(env_id: str | None) -> None:
    days = _by_kind("Registry")[0]["policy"]["deprecation_warning_days"]
    horizon = dt.date.today() + dt.timedelta(days=days)
    for pid, provider in providers_for(DOCS, env_id).items():
        for m in provider["models"]:
            if active_caps(m) and "deprecated" in m:
                assert m["deprecated"] > horizon, f"{env_id or 'base'}: {pid}/{m['id']}"


@pytest.mark.parametrize("env_id", ENVIRONMENTS, ids=lambda e: e or "base")
def test_defaults_and_fallbacks_resolve_to_active_models(env_id: str | None) -> None:
    registry = _by_kind("Registry")[0]
    index = _active(env_id)
    for cap, pid in registry["defaults"].items():
        assert index[pid].get(cap), f"default {cap} -> {pid} has no active model"
    for cap, pids in registry["fallbacks"].items():
        assert registry["defaults"][cap] not in pids
        for pid in pids:
            assert index[pid].get(cap), f"fallback {cap} -> {pid} has no active model"


def test_dev_and_prod_differ_in_an_active_model() -> None:
    assert {e["id"] for e in _by_kind("Environment")} == {"dev", "prod"}
    dev, prod = _active("dev"), _active("prod")
    assert dev["openai"]["chat"] == ["gpt-4o-mini"]
    assert prod["openai"]["chat"] == ["gpt-4o"]


def test_registry_targets_and_policy() -> None:
    registry = _by_kind("Registry")[0]
    assert registry["policy"]["deprecation_warning_days"] == 30
    assert set(registry["targets"]) == {e["id"] for e in _by_kind("Environment")}


def test_nothing_looks_like_an_api_key() -> None:
    for path in _files():
        text = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(text), f"{path}: {KEY_LIKE.search(text)}"
