"""Schema errors mapped to YAML places, ids indexed, environments overlaid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import write_tree

from regctl.pipeline.registry import build
from regctl.pipeline.source import load_registry
from regctl.pipeline.validate import validate

PROVIDER = """\
apiVersion: regctl/v1
kind: Provider
id: p
display_name: P
credentials: [env:P_KEY]
models:
  - id: m1
    display_name: M1
    capabilities: [chat]
    active: true
    limits: {context_window: 1000}
"""


def _problems(root: Path) -> list[tuple[str, int, int, str]]:
    return [
        (p.rule, p.location.line, p.location.col, p.message)
        for p in validate(root, as_of=dt.date(2026, 1, 1)).problems
    ]


def test_every_schema_problem_of_a_document_at_once(tmp_path: Path) -> None:
    text = PROVIDER.replace(
        "display_name: P\n", "display_nme: P\napi: openia\nenabled: yes please\n"
    )
    write_tree(tmp_path, {"p.yaml": text})
    got = _problems(tmp_path)
    assert ("unknown-field", 4, 1, "unknown field 'display_nme' in this document (did you mean "
            "'display_name'?)") in got  # fmt: skip
    assert any(r == "schema" and line == 5 and "api: must be one of" in m for r, line, _, m in got)
    assert any(r == "schema" and line == 6 and "enabled" in m for r, line, _, m in got)
    assert any(r == "schema" and "display_name: required field is missing" in m for r, *_, m in got)


def test_union_error_is_reported_once_in_plain_words(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.yaml": PROVIDER.replace("active: true", "active: sometimes")})
    got = [m for r, line, _, m in _problems(tmp_path) if r == "schema"]
    assert got == ["models[0].active: must be true, false, or a list of capabilities"]


def test_a_bad_model_hides_no_other_model(tmp_path: Path) -> None:
    text = PROVIDER + "  - id: m2\n    display_name: 7\n    capabilities: [chat]\n"
    text += "  - id: m3\n    display_name: M3\n    capabilities: [chat]\n    active: true\n"
    write_tree(tmp_path, {"p.yaml": text})
    rules = sorted(r for r, *_ in _problems(tmp_path))
    assert rules == ["schema", "single-active"]  # m1 and m3 still conflict


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    env = "apiVersion: regctl/v1\nkind: Environment\nid: dev\n"
    write_tree(tmp_path, {"a.yaml": PROVIDER, "b.yaml": PROVIDER, "e1.yaml": env, "e2.yaml": env})
    dups = [(line, m) for r, line, _, m in _problems(tmp_path) if r == "duplicate-id"]
    assert len(dups) == 2
    assert all("(first at" in m for _, m in dups)


def test_overlay_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    text = PROVIDER.replace(
        "credentials:", "defaults: {temperature: 0.5, max_tokens: 100}\ncredentials:"
    )
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: dev\nproviders:\n  p:\n"
        "    defaults: {max_tokens: 200}\n    credentials: [env:DEV_KEY]\n"
        "    models:\n      m1: {limits: {max_output_tokens: 500}}\n"
    )
    write_tree(tmp_path, {"p.yaml": text, "dev.yaml": env})
    registry = build(load_registry(tmp_path), dt.date(2026, 1, 1))
    view, problems = registry.view("dev")
    assert problems == []
    p = view.providers["p"].obj
    assert (p.defaults.temperature, p.defaults.max_tokens) == (0.5, 200)  # type: ignore[union-attr]
    assert p.credentials == ["env:DEV_KEY"]
    m1 = view.models["p"]["m1"]
    assert m1.obj.limits.context_window == 1000 and m1.obj.limits.max_output_tokens == 500  # type: ignore[union-attr]
    assert m1.raw.val_pos["limits"].file.endswith("dev.yaml")
    # the base view is untouched
    assert registry.base.providers["p"].obj.credentials == ["env:P_KEY"]


def test_overlay_type_errors_point_at_the_environment_file(tmp_path: Path) -> None:
    env = (
        "apiVersion: regctl/v1\nkind: Environment\nid: dev\nproviders:\n  p:\n"
        "    models:\n      m1: {limits: {max_output_tokens: 5000}}\n"
    )
    write_tree(tmp_path, {"p.yaml": PROVIDER, "dev.yaml": env})
    got = [(r, m) for r, line, _, m in _problems(tmp_path)]
    assert got == [("schema", "providers.p.models.m1.limits: max_output_tokens (5000) exceeds "
                    "context_window (1000)")]  # fmt: skip
    assert validate(tmp_path).problems[0].location.file.endswith("dev.yaml")
