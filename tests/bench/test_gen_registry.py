"""The synthetic registry generator (bench/gen_registry.py) writes valid registries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))
from gen_registry import default_providers, generate  # noqa: E402 - after sys.path

from registry_data import (  # noqa: E402
    active_caps,
    load_docs,
    of_kind,
    one_active_violations,
    providers_for,
)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.yaml")}


def test_generates_a_valid_registry_of_the_asked_size(tmp_path: Path) -> None:
    assert generate(tmp_path, providers=4, models=200, seed=1, envs=2) == 200
    docs = load_docs(tmp_path)
    providers = of_kind(docs, "Provider")
    assert [p["id"] for p in providers] == ["p0", "p1", "p2", "p3"]
    assert sum(len(p["models"]) for p in providers) == 200
    assert len(of_kind(docs, "Registry")) == 1
    assert {e["id"] for e in of_kind(docs, "Environment")} == {"dev", "staging"}
    for doc in (d for _, d in docs):
        assert doc["apiVersion"] == "regctl/v1"
    for p in providers:
        assert p["credentials"] == [f"env:{p['id'].upper()}_API_KEY"]
        for m in p["models"]:
            assert m["display_name"] and m["capabilities"] and m["pricing"]["currency"] == "USD"
            assert m["limits"]["context_window"] > 0
            assert not (active_caps(m) and "deprecated" in m), m["id"]
    assert one_active_violations(docs) == []


def test_environments_switch_some_active_models(tmp_path: Path) -> None:
    generate(tmp_path, providers=5, models=300, seed=3, envs=3)
    docs = load_docs(tmp_path)

    def actives(env: str | None) -> set[tuple[str, str, str]]:
        return {
            (pid, cap, m["id"])
            for pid, p in providers_for(docs, env).items()
            for m in p["models"]
            for cap in active_caps(m)
        }

    base = actives(None)
    for env in ("dev", "staging", "prod"):
        assert actives(env) != base, env
    registry = of_kind(docs, "Registry")[0]
    assert set(registry["targets"]) == {"dev", "staging", "prod"}
    offered = {cap for _, cap, _ in base}
    assert set(registry["defaults"]) == offered


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 3, 90, seed=7, envs=1)
    generate(b, 3, 90, seed=7, envs=1)
    generate(c, 3, 90, seed=8, envs=1)
    assert _tree(a) == _tree(b)
    assert _tree(a) != _tree(c)


def test_rerun_replaces_its_own_output_but_refuses_other_folders(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    generate(out, 6, 60)
    generate(out, 2, 20)  # fewer providers: stale p2..p5 must not linger
    assert sorted(p.name for p in (out / "providers").iterdir()) == ["p0.yaml", "p1.yaml"]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.yaml").write_text("x: 1\n")
    with pytest.raises(ValueError, match="not made by gen_registry"):
        generate(other, 1, 5)
    assert (other / "keep.yaml").exists()


def test_default_provider_count_keeps_files_small() -> None:
    assert default_providers(200) == 10
    assert default_providers(50_000) == 100
    assert default_providers(3) == 3


def test_command_line(tmp_path: Path) -> None:
    script = str(REPO / "bench" / "gen_registry.py")
    run = subprocess.run(
        [sys.executable, script, str(tmp_path / "o"), "--models", "40", "--providers", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "wrote 40 models in 2 providers" in run.stdout
    bad = subprocess.run(
        [sys.executable, script, str(tmp_path / "o2"), "--models", "1", "--providers", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: need 1 <= providers <= models")
    assert "Traceback" not in bad.stderr
