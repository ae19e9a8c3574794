"""Deploy decisions come from content only: a depth-1 CI checkout and a full clone agree.

A real repository with history, cloned twice: once with ``--depth 1`` (as
actions/checkout does by default) and once in full. ``source.commit`` differs between
them (the shallow clone cannot see the commit that last touched the registry), yet the
manifest digest is the same, and a plan from one against what the other applied has
nothing to do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import EXAMPLE, run_cli

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _origin(tmp_path: Path) -> Path:
    origin = tmp_path / "origin"
    shutil.copytree(EXAMPLE, origin / "registry")
    subprocess.run(["git", "init", "-q", "-b", "main", str(origin)], check=True)
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "registry")
    (origin / "README.md").write_text("an unrelated commit after the registry's last change\n")
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "docs")
    return origin


def _clone(origin: Path, dest: Path, *extra: str) -> Path:
    # file:// so that --depth applies (a plain path clone ignores it)
    subprocess.run(
        ["git", "clone", "-q", *extra, f"file://{origin}", str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


def _lock(repo: Path) -> dict[str, object]:
    out = repo / "build" / "prod.lock.json"
    result = run_cli("compile", str(repo / "registry"), "--env", "prod", "-o", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert isinstance(doc, dict)
    return doc


def test_shallow_and_full_clone_compile_to_the_same_digest(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    shallow = _clone(origin, tmp_path / "ci", "--depth", "1")
    full = _clone(origin, tmp_path / "laptop")
    assert _git(shallow, "rev-parse", "--is-shallow-repository") == "true"

    a, b = _lock(shallow), _lock(full)
    assert a["source"] != b["source"]  # the provenance differs (commit seen from each clone)
    assert a["digest"] == b["digest"]  # the content does not
    assert {k: v for k, v in a.items() if k != "source"} == {
        k: v for k, v in b.items() if k != "source"
    }


def test_plan_after_a_shallow_ci_apply_reports_no_changes(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    shallow = _clone(origin, tmp_path / "ci", "--depth", "1")
    full = _clone(origin, tmp_path / "laptop")
    target = "file:" + str(tmp_path / "deployed" / "prod.json")

    applied = run_cli(
        "apply", str(shallow / "registry"), "--env", "prod", "--target", target, "--auto-approve"
    )
    assert applied.returncode == 0, applied.stderr

    plan = run_cli(
        "plan", str(full / "registry"), "--env", "prod", "--target", target, "--detailed-exitcode"
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes" in plan.stdout


def test_a_real_change_is_still_planned(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    shallow = _clone(origin, tmp_path / "ci", "--depth", "1")
    target = "file:" + str(tmp_path / "deployed" / "prod.json")
    assert (
        run_cli(
            "apply",
            str(shallow / "registry"),
            "--env",
            "prod",
            "--target",
            target,
            "--auto-approve",
        ).returncode
        == 0
    )
    openai = origin / "registry" / "providers" / "openai.yaml"
    text = openai.read_text()
    assert "input_per_mtok: 2.50" in text
    openai.write_text(text.replace("input_per_mtok: 2.50", "input_per_mtok: 2.00", 1))
    _git(origin, "commit", "-qam", "price cut")
    full = _clone(origin, tmp_path / "laptop")
    plan = run_cli(
        "plan", str(full / "registry"), "--env", "prod", "--target", target, "--detailed-exitcode"
    )
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert "input_per_mtok" in plan.stdout
