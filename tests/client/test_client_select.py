"""Selection by requirements, template pins with a fallback, and system-prompt folding."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, write_manifest

from regctl.client import BadQuery, NoActiveModel, Registry, ResolutionError


def _doc() -> dict[str, Any]:
    d = copy.deepcopy(base_doc())
    m = d["models"]
    m["openai/gpt-4o"]["released"] = "2024-08-06"
    m["openai/gpt-4o"]["supports"] = {"tools": True}
    claude = m["anthropic/claude-3-5-sonnet"]
    claude.update(
        limits={"context_window": 200000},
        pricing={"input_per_mtok": 3.0, "output_per_mtok": 15.0, "currency": "USD"},
        supports={"tools": True},
        released="2024-10-22",
    )
    m["backup/meta/llama-3"].update(
        limits={"context_window": 8192},
        pricing={"input_per_mtok": 0.2, "output_per_mtok": 0.2, "currency": "USD"},
        supports={"system_prompt": False},
    )
    # A provider outside the default/fallback order: only scope="all" reaches it.
    d["providers"]["zeta"] = {
        **d["providers"]["backup"],
        "id": "zeta",
        "display_name": "zeta",
        "credentials": [],
    }
    m["zeta/z-long"] = {
        **m["backup/meta/llama-3"],
        "provider": "zeta",
        "id": "z-long",
        "upstream_id": "z-long",
        "display_name": "Z long",
        "limits": {"context_window": 1000000},
        "pricing": {"input_per_mtok": 0.1, "output_per_mtok": 0.1, "currency": "USD"},
        "supports": {"tools": True},
        "released": "2025-01-01",
    }
    d["active"]["zeta"] = {"chat": "zeta/z-long"}
    d["templates"]["summarize"]["variables"] = {"text": {"required": True}}
    d["templates"]["fallback"] = {
        "id": "fallback",
        "model": "openai/gpt-4o-mini",
        "capability": "chat",
        "variables": {},
        "user": "hi",
    }
    return d


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    return Registry.load(write_manifest(tmp_path / "m.json", _doc()))


def test_needs_filter_the_resolution_order(reg: Registry) -> None:
    r = reg.resolve("chat", needs={"context": 150_000})
    # gpt-4o (128k, the default) and o1 (no limits) fail; claude (fallback) fits
    assert (r.model.key, r.via) == ("anthropic/claude-3-5-sonnet", "fallback")
    r = reg.resolve("chat", needs={"vision": True, "tools": True})
    assert (r.model.key, r.provider.id) == ("openai/gpt-4o", "openai")


def test_prefer_ranks_what_meets_the_needs(reg: Registry) -> None:
    r = reg.resolve("chat", prefer="cheapest")
    assert (r.model.key, r.via) == ("backup/meta/llama-3", "fallback")
    r = reg.resolve("chat", needs={"tools": True}, prefer="cheapest")
    assert r.model.key == "openai/gpt-4o"  # 12.5 $ in+out per Mtok vs claude's 18
    assert reg.resolve("chat", prefer="newest").model.key == "anthropic/claude-3-5-sonnet"
    r = reg.resolve("chat", prefer="largest-context")
    assert r.model.key == "anthropic/claude-3-5-sonnet"
    r = reg.resolve("chat", needs={"max_input_per_mtok": 1})
    assert r.model.key == "backup/meta/llama-3"


def test_a_model_active_for_another_capability_only_never_serves(reg: Registry) -> None:
    # o1 is active for reasoning only: the one-active rule keeps it out of chat
    with pytest.raises(NoActiveModel, match="meets reasoning"):
        reg.resolve("chat", needs={"reasoning": True})
    assert "openai/o1" not in [c.model.key for c in reg.candidates("chat", scope="all")]
    assert reg.resolve("reasoning", provider="openai").model.key == "openai/o1"


def test_scope_all_reaches_providers_outside_the_order(reg: Registry) -> None:
    r = reg.resolve("chat", needs={"context": 150_000}, prefer="cheapest", scope="all")
    assert (r.model.key, r.via) == ("zeta/z-long", "scope")
    with pytest.raises(NoActiveModel):
        reg.resolve("chat", needs={"context": 500_000})
    assert reg.resolve("chat", needs={"context": 500_000}, scope="all").model.key == ("zeta/z-long")


def test_nothing_fits_says_why_each_was_left_out(reg: Registry) -> None:
    with pytest.raises(NoActiveModel) as info:
        reg.resolve("chat", needs={"context": 150_000, "max_input_per_mtok": 1})
    msg = str(info.value)
    assert "meets context>=150000, max_input_per_mtok<=1" in msg
    assert "openai/gpt-4o (context_window 128000)" in msg
    assert "anthropic/claude-3-5-sonnet (input_per_mtok 3)" in msg


def test_deprecated_models_are_not_candidates(tmp_path: Path) -> None:
    d = _doc()
    d["models"]["backup/meta/llama-3"]["deprecated"] = "2001-01-01"
    reg = Registry.load(write_manifest(tmp_path / "m.json", d))
    assert reg.resolve("chat", prefer="cheapest").model.key == "openai/gpt-4o"


def test_bad_needs_are_refused(reg: Registry) -> None:
    with pytest.raises(BadQuery, match="unknown need 'contxt'"):
        reg.resolve("chat", needs={"contxt": 1})
    with pytest.raises(ResolutionError, match="'context' takes a number"):
        reg.resolve("chat", needs={"context": "big"})
    with pytest.raises(ResolutionError, match="'tools' takes true or false"):
        reg.resolve("chat", needs={"tools": 1})
    with pytest.raises(ResolutionError, match="unknown prefer 'best'"):
        reg.resolve("chat", prefer="best")
    with pytest.raises(ResolutionError, match="unknown scope"):
        reg.resolve("chat", scope="world")


def test_template_pin_falls_back_and_says_so(reg: Registry) -> None:
    r = reg.resolve(template="fallback")
    assert (r.model.key, r.via) == ("openai/gpt-4o", "default")
    assert [w.as_dict() for w in r.warnings] == [
        {
            "code": "template_pin_unusable",
            "message": "template 'fallback' pins 'openai/gpt-4o-mini', which is not active for "
            "capability 'chat': it falls back to capability 'chat'",
        }
    ]
    with pytest.raises(ResolutionError) as info:
        reg.resolve(template="fallback", strict=True)
    assert info.value.code == "template_pin_unusable"
    assert reg.render("fallback").model.model.key == "openai/gpt-4o"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"model": "off/x1"}, "belongs to disabled provider 'off'"),
        ({"model": "anthropic/claude-3-5-sonnet"}, "is deprecated since 2020-01-01"),
    ],
)
def test_template_pin_reasons(tmp_path: Path, change: dict[str, str], why: str) -> None:
    d = _doc()
    d["models"]["anthropic/claude-3-5-sonnet"]["deprecated"] = "2020-01-01"
    d["templates"]["fallback"].update(change)
    reg = Registry.load(write_manifest(tmp_path / "m.json", d))
    r = reg.resolve(template="fallback")
    assert r.model.key == "openai/gpt-4o"
    assert why in r.warnings[0].message


def test_good_pin_wins_and_pin_without_fallback_fails(tmp_path: Path) -> None:
    d = _doc()
    d["templates"]["fallback"]["model"] = "anthropic/claude-3-5-sonnet"
    d["templates"]["bare"] = {"id": "bare", "model": "openai/gpt-4o-mini", "user": "x"}
    reg = Registry.load(write_manifest(tmp_path / "m.json", d))
    r = reg.resolve(template="fallback")
    assert (r.model.key, r.via) == ("anthropic/claude-3-5-sonnet", "template")
    with pytest.raises(NoActiveModel, match="pins 'openai/gpt-4o-mini', which is not active"):
        reg.resolve(template="bare")


def test_system_prompt_is_folded_for_models_without_one(reg: Registry) -> None:
    normal = reg.render("summarize", text="hello")
    assert [m["role"] for m in normal.messages] == ["system", "user"]
    folded_reg = reg.resolve("chat", provider="backup")
    assert folded_reg.model.supports["system_prompt"] is False
    from regctl.client.render import render

    out = render(reg.templates["summarize"], folded_reg, {"text": "hello"})
    assert out.messages == [{"role": "user", "content": "Be brief.\n\nhello"}]


def test_cli_resolve_with_needs(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", _doc())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "regctl", "resolve", "--manifest", str(path), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    proc = run("-c", "chat", "--need", "context=150000", "--need", "tools", "--prefer", "cheapest")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["model"], out["via"]) == ("anthropic/claude-3-5-sonnet", "fallback")
    proc = run("--need", "context=150000", "--scope", "all", "--prefer", "cheapest")
    assert json.loads(proc.stdout)["model"] == "zeta/z-long"
    proc = run("--need", "context=9000000")
    assert proc.returncode == 3 and "no active model" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("--need", "context=lots")
    assert proc.returncode == 2 and "need 'context' takes a number" in proc.stderr
    assert json.loads(proc.stdout)["error"]["code"] == "bad_request"
