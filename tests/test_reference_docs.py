"""The reference in docs/ is generated from the code and complete; no SPEC reference remains."""

from __future__ import annotations

import re
import typing

import pytest
from click.testing import CliRunner
from pydantic import BaseModel
from tests.conftest import ROOT

from regctl.cli import main
from regctl.cli.docgen import render_all
from regctl.docs.explain import ITEM_MODELS
from regctl.pipeline.schema import KINDS


def test_generated_pages_are_committed_and_in_sync() -> None:
    for name, text in render_all().items():
        path = ROOT / "docs" / name
        assert path.read_text() == text, f"docs/{name} drifted: run 'regctl docs'"


def test_docs_check_command(tmp_path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["docs", "-o", str(tmp_path), "--check"]).exit_code == 1
    assert runner.invoke(main, ["docs", "-o", str(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["docs", "-o", str(tmp_path), "--check"]).exit_code == 0


def _all_paths(model: type[BaseModel], prefix: str) -> list[str]:
    """Every field path below ``model``, found independently of regctl.docs.explain."""
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        out.append(path)
        nested = ITEM_MODELS.get((model, name))
        stack = [info.annotation]
        while nested is None and stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                nested = tp
            else:
                stack.extend(typing.get_args(tp))
        if nested is not None:
            out += _all_paths(nested, path)
    return out


ALL_FIELDS = [p for kind, cls in KINDS.items() for p in _all_paths(cls, kind)]


def test_every_field_is_explained_and_in_the_reference() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text()
    runner = CliRunner()
    assert len(ALL_FIELDS) > 100
    for path in ALL_FIELDS:
        result = runner.invoke(main, ["explain", path])
        assert result.exit_code == 0, (path, result.output)
        assert f"FIELD:    {path}\nTYPE:     " in result.output
        doc = result.output.split("\n\n", 1)[1].split("\n\nFIELDS:")[0].strip()
        assert doc and doc != "(no documentation)", (
            f"{path} has no docstring in regctl.pipeline.schema"
        )
        assert f"| `{path.split('.', 1)[1]}` |" in reference, path


def test_explain_a_kind_and_mistakes() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["explain", "provider"]).output
    assert out.startswith("KIND:     Provider") and "  models" in out
    out = runner.invoke(main, ["explain", "Provider.models.pricing"]).output
    assert "TYPE:     Pricing (object)" in out and "input_per_mtok" in out
    bad = runner.invoke(main, ["explain", "Provider.modles"])
    assert bad.exit_code == 2 and "did you mean 'models'?" in bad.stderr
    bad = runner.invoke(main, ["explain", "Provdier"])
    assert bad.exit_code == 2 and "did you mean 'Provider'?" in bad.stderr


def test_every_rule_is_documented() -> None:
    rules = (ROOT / "docs" / "rules.md").read_text()
    ids = re.findall(r"^## `([a-z-]+)`", rules, re.M)
    assert {"single-active", "schema", "unknown-field", "plaintext-secret"} <= set(ids)


@pytest.mark.parametrize("where", ["src", "docs", "README.md"])
def test_no_spec_reference_remains(where: str) -> None:
    root = ROOT / where
    files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        if any(p.endswith(".egg-info") or p == "__pycache__" for p in path.parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"\bSPEC\b|SPEC\.md", text), path
