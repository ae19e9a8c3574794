"""The registry writer: deterministic bytes, editor modeline, atomic, refuses to mix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from regctl.base.errors import RegctlError
from regctl.interop.writer import write_registry

PROVIDERS = [
    {"id": "zeta", "display_name": "Zeta", "api": "openai", "models": [
        {"id": "b", "display_name": "B", "capabilities": ["chat"], "active": False},
        {"id": "a", "display_name": "A: the \"first\"", "capabilities": ["chat", "vision"],
         "active": False, "released": dt.date(2024, 5, 13)},
    ]},
    {"id": "alpha", "display_name": "Alpha", "api": "anthropic", "models": []},
]  # fmt: skip


def test_same_input_same_bytes_whatever_the_order(tmp_path: Path) -> None:
    write_registry(tmp_path / "one", PROVIDERS, {"name": "x"})
    shuffled = [dict(p, models=list(reversed(p["models"]))) for p in reversed(PROVIDERS)]
    write_registry(tmp_path / "two", shuffled, {"name": "x"})
    for rel in ("registry.yaml", "providers/zeta.yaml", "providers/alpha.yaml"):
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()
    text = (tmp_path / "one/providers/zeta.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/registry.schema.json\n")
    assert (
        (tmp_path / "one/registry.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=../schemas/registry.schema.json\n")
    )
    doc = yaml.safe_load(text)
    assert [m["id"] for m in doc["models"]] == ["a", "b"]
    assert doc["models"][0]["display_name"] == 'A: the "first"'
    assert doc["models"][0]["released"] == dt.date(2024, 5, 13)
    assert "capabilities: [chat, vision]" in text
    assert not list((tmp_path / "one").rglob("*.tmp"))


def test_refuses_folder_with_yaml_unless_forced(tmp_path: Path) -> None:
    write_registry(tmp_path, PROVIDERS, {"name": "x"})
    with pytest.raises(RegctlError, match="already holds YAML files"):
        write_registry(tmp_path, PROVIDERS, {"name": "x"})
    write_registry(
        tmp_path, PROVIDERS, {"name": "y"}, force=True, schema="https://s.example/r.json"
    )
    assert (
        (tmp_path / "registry.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=https://s.example/r.json\n")
    )
