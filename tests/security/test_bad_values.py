"""Class 1: bad values are problems with a rule id and file:line:col, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_helpers import assert_clean_failure, capped_cli

from regctl.deploy.targets.base import Deployed
from regctl.deploy.targets.file import FileTarget
from regctl.pipeline.source import load_registry
from regctl.pipeline.validate import validate

PROVIDER = """apiVersion: regctl/v1
kind: Provider
id: acme
display_name: Acme AI
credentials: [env:ACME_API_KEY]
models:
  - id: acme-large
    display_name: Acme Large
    capabilities: [chat, vision]
    active: true
    released: {released}
    pricing: {{input_per_mtok: {price}, output_per_mtok: 10}}
  - id: acme-small
    display_name: Acme Small
    capabilities: [chat]
"""


def _problems(registry: Path, *, price: str = "2.5", released: str = "2024-05-13") -> list:
    (registry / "providers" / "acme.yaml").write_text(
        PROVIDER.format(price=price, released=released)
    )
    return validate(registry).problems


@pytest.mark.parametrize("price", [".inf", "-.inf", ".nan", ".NaN", "1.0e+400", "-1.0e+400"])
def test_non_finite_numbers_are_schema_problems(registry: Path, price: str) -> None:
    problems = _problems(registry, price=price)
    assert [(p.rule, p.location.line, p.location.col) for p in problems] == [("schema", 12, 31)]
    assert "finite" in problems[0].message


def test_1e400_is_a_string_in_yaml_and_not_a_price(registry: Path) -> None:
    # YAML 1.1 needs a dot for a float: 1e400 is text, which a price field refuses.
    problems = _problems(registry, price="1e400")
    assert [(p.rule, p.location.line, p.location.col) for p in problems] == [("schema", 12, 31)]
    assert problems[0].location.file.endswith("providers/acme.yaml")


@pytest.mark.parametrize("price", ["9" * 5000, "-" + "9" * 5000, "18446744073709551616"])
def test_huge_integers_are_schema_problems(registry: Path, price: str) -> None:
    problems = _problems(registry, price=price)
    assert [(p.rule, p.location.line) for p in problems] == [("schema", 12)]
    assert "out of range" in problems[0].message


@pytest.mark.parametrize(
    "released",
    ["2024-02-30", "2024-13-45", "2023-02-29", "2024-01-01 25:00:00", "2024-01-01T10:61:00"],
)
def test_impossible_dates_and_times_are_schema_problems(registry: Path, released: str) -> None:
    problems = _problems(registry, released=released)
    assert [(p.rule, p.location.line, p.location.col) for p in problems] == [("schema", 11, 15)]
    assert "not a valid date" in problems[0].message


@pytest.mark.parametrize(
    "tagged",
    ["!vault {path: x}", "!!python/tuple [1, 2]", "!!set {a, b}", "!!omap [a: 1]", "!custom [x]"],
)
def test_tags_on_collections_are_problems(registry: Path, tagged: str) -> None:
    (registry / "providers" / "acme.yaml").write_text(
        PROVIDER.format(price="2.5", released="2024-05-13") + f"labels: {tagged}\n"
    )
    problems = validate(registry).problems
    assert [(p.rule, p.location.line) for p in problems] == [("yaml-syntax", 16)]
    assert "unsupported YAML tag" in problems[0].message


@pytest.fixture(params=["libyaml bound", "event scan"])
def depth_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both guards: libyaml's own nesting bound (0.2.5+) and the event scan used without it."""
    from regctl.pipeline import source_guard

    if request.param == "event scan":
        monkeypatch.setattr(source_guard, "libyaml_bounds_depth", lambda: False)
    elif not source_guard.libyaml_bounds_depth():
        pytest.skip("this libyaml does not bound nesting itself")
    return str(request.param)


@pytest.mark.parametrize("depth", [150, 10_000, 200_000])
def test_deep_nesting_is_a_problem_not_a_crash(
    registry: Path, depth: int, depth_guard: str
) -> None:
    # 200,000 levels crash libyaml's recursive composer (a segfault) unless guarded.
    (registry / "providers" / "deep.yaml").write_text("a: " + "[" * depth + "]" * depth + "\n")
    problems = load_registry(registry).problems
    assert [(p.rule, p.location.file.rsplit("/", 1)[-1]) for p in problems] == [
        ("yaml-syntax", "deep.yaml")
    ]
    assert "nested deeper than 100" in problems[0].message


def test_deep_block_nesting_is_a_problem(registry: Path, depth_guard: str) -> None:
    (registry / "providers" / "deep.yaml").write_text("a:\n" + "- " * 50_000 + "x\n")
    problems = load_registry(registry).problems
    assert [p.rule for p in problems] == ["yaml-syntax"]
    assert "nested deeper" in problems[0].message


def test_cli_deep_nesting_exits_1_in_bounded_memory_and_time(registry: Path) -> None:
    (registry / "providers" / "deep.yaml").write_text("a: " + "{a: " * 2_000_000 + "\n")
    proc, took = capped_cli("validate", str(registry), cwd=registry.parent)
    assert_clean_failure(proc, 1)
    assert "deep.yaml:1:" in proc.stdout + proc.stderr
    assert took < 5


def test_deployed_manifest_with_bad_json_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    for raw, why in [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a": ' + b"9" * 5000 + b"}", "not strict JSON"),
        (b'{"a": NaN}', "not strict JSON"),
    ]:
        target.path.write_bytes(raw)
        deployed = target.read()
        assert deployed.manifest is None
        assert why in (deployed.problem or "")
    assert Deployed(b'{"kind": "Manifest", "apiVersion": ' + b"[" * 5000 + b"}").problem


def test_hostile_history_log_lines_are_skipped(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    target.history_dir.mkdir()
    good = json.dumps({"digest": "sha256:" + "a" * 64, "applied_at": "2026-01-01T00:00:00+00:00"})
    lines = ["[" * 100_000, '{"digest": ' + "9" * 5000 + "}", '{"digest": NaN}', good]
    (target.history_dir / "log.jsonl").write_text("\n".join(lines) + "\n")
    assert [e.digest for e in target.history()] == ["sha256:" + "a" * 64]


SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from([".inf", ".nan", "1e400", "0x1F", "0o17", "1_000", "1:20", "~", "yes"]),
    st.dates().map(str),
    st.text(alphabet="0123456789-:T .e+", min_size=1, max_size=25),
)


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=SCALARS)
def test_any_scalar_in_a_number_field_is_a_located_problem_or_valid(
    registry: Path, value: str
) -> None:
    problems = _problems(registry, price=value)
    for p in problems:
        assert p.rule in ("schema", "yaml-syntax"), p
        assert p.location.file.endswith("acme.yaml") and p.location.line >= 1
