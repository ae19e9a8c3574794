"""LiteLLM price map import: the map shipped inside the installed ``litellm`` package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regctl.interop.litellm_prices import import_litellm_prices
from regctl.interop.writer import write_registry
from regctl.pipeline.compile import compile_registry

SMALL = {
    "sample_spec": {"litellm_provider": "one of ...", "mode": "one of ..."},
    "gpt-4o": {
        "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
        "max_input_tokens": 128000, "max_output_tokens": 16384, "supports_vision": True,
        "supports_function_calling": True, "supports_system_messages": True,
        "input_cost_per_token_batches": 1.25e-06,
    },
    "gpt-4-0613": {
        "litellm_provider": "openai", "mode": "chat", "deprecation_date": "2025-06-06",
        "max_input_tokens": 8192, "max_output_tokens": 4096,
    },
    "text-embedding-3-small": {
        "litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 2e-08,
        "output_cost_per_token": 0.0, "max_input_tokens": 8191,
    },
    "groq/llama-3.1-8b-instant": {
        "litellm_provider": "groq", "mode": "chat", "input_cost_per_token": 5e-08,
        "output_cost_per_token": 8e-08, "max_input_tokens": 128000, "max_output_tokens": 8192,
    },
    "exa_ai/search": {"litellm_provider": "exa_ai", "mode": "search"},
    "mystery/model-1": {"litellm_provider": "mystery", "mode": "chat"},
    "openai/gpt-4o": {"litellm_provider": "openai", "mode": "chat"},
}  # fmt: skip


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(SMALL))
    return path


def test_mapping(small: Path) -> None:
    result = import_litellm_prices(small)
    by_id = {p["id"]: p for p in result.providers}
    assert set(by_id) == {"openai", "groq"}
    gpt4o = next(m for m in by_id["openai"]["models"] if m["id"] == "gpt-4o")
    assert gpt4o["capabilities"] == ["chat", "vision", "tools"]
    assert gpt4o["pricing"] == {
        "input_per_mtok": 2.5, "output_per_mtok": 10, "cached_input_per_mtok": 1.25,
        "currency": "USD",
    }  # fmt: skip
    assert gpt4o["limits"] == {"context_window": 128000, "max_output_tokens": 16384}
    assert gpt4o["active"] is False
    old = next(m for m in by_id["openai"]["models"] if m["id"] == "gpt-4-0613")
    assert str(old["deprecated"]) == "2025-06-06"
    groq = by_id["groq"]
    assert groq["base_url"] == "https://api.groq.com/openai/v1"
    assert groq["credentials"] == ["env:GROQ_API_KEY"]
    assert groq["models"][0]["id"] == "llama-3.1-8b-instant"  # provider prefix stripped
    assert groq["labels"]["litellm-provider"] == "groq"
    skipped = {(e.path, e.reason) for e in result.report.skipped}
    assert skipped == {
        ("exa_ai/search", "unmapped-mode"), ("mystery", "no-base-url"),
        ("mystery/model-1", "provider-skipped"), ("openai/gpt-4o", "duplicate-model-id"),
    }  # fmt: skip
    assert result.report.notes_by_reason()["dropped-price-kinds"] == 1


def test_base_url_option_imports_unknown_provider(small: Path) -> None:
    result = import_litellm_prices(small, base_urls={"mystery": "https://m.example/v1"})
    mystery = next(p for p in result.providers if p["id"] == "mystery")
    assert mystery["api"] == "openai-compatible"
    assert mystery["base_url"] == "https://m.example/v1"


def test_bad_file_is_one_line_error(tmp_path: Path, cli) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    proc = cli("import", "litellm", str(bad), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_real_price_map_imports_validates_and_compiles(tmp_path: Path) -> None:
    from tests.conftest import litellm_price_map

    price_map = litellm_price_map()
    result = import_litellm_prices(price_map)
    report = result.report
    assert report.models > 2000
    entries = len(json.loads(price_map.read_text())) - 1  # minus sample_spec
    assert report.models + len(report.skipped) - report.skipped_by_reason()["no-base-url"] == (
        entries
    )  # every entry is either imported or reported
    out = tmp_path / "registry"
    write_registry(out, result.providers, result.registry)
    compiled = compile_registry(out)
    assert [f"{p.location} {p.rule} {p.message}" for p in compiled.problems] == []
    assert compiled.manifest is not None
    openai = {
        m["id"]: m for m in next(p for p in result.providers if p["id"] == "openai")["models"]
    }
    assert openai["gpt-4o"]["pricing"]["input_per_mtok"] == 2.5
