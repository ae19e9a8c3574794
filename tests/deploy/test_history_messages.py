"""rollback --list marks one deployed entry; a stale plan never shows one digest twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from deploy_fixtures import regctl

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"


def _switch(repo: Path, back: bool = False) -> None:
    path = repo / "registry" / "environments" / "prod.yaml"
    a, b = "      tpm: 800000\n", "      tpm: 900000\n"
    text = path.read_text()
    path.write_text(text.replace(b, a) if back else text.replace(a, b))


def test_rollback_list_marks_only_the_latest_entry_of_a_reapplied_digest(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "registry")
    apply = ("apply", "registry", "--env", "prod", "--auto-approve")
    assert regctl(*apply, cwd=repo).returncode == 0
    _switch(repo)
    assert regctl(*apply, cwd=repo).returncode == 0
    _switch(repo, back=True)
    assert regctl(*apply, cwd=repo).returncode == 0  # the first digest again
    listed = regctl("rollback", "registry", "--env", "prod", "--list", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    entries = [ln for ln in listed.stdout.splitlines() if "sha256:" in ln and "apply(s)" not in ln]
    assert len(entries) == 3 and entries[0].split()[-1] == entries[2].split()[-2]
    assert [("(deployed)" in ln) for ln in entries] == [False, False, True], listed.stdout


def test_stale_plan_with_the_same_digest_names_the_bytes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "registry")
    assert regctl("apply", "registry", "--env", "prod", "--auto-approve", cwd=repo).returncode == 0
    _switch(repo)
    saved = regctl("plan", "registry", "--env", "prod", "-o", "plan.json", cwd=repo)
    assert saved.returncode == 0, saved.stderr
    # Someone re-deploys the same content with other provenance: same digest, other bytes.
    target = repo / "deploy" / "prod" / "manifest.lock.json"
    doc = json.loads(target.read_text())
    doc["source"]["commit"] = "f" * 40
    target.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    stale = regctl("apply", "plan.json", cwd=repo)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    line = stale.stderr.strip().splitlines()[-1]
    assert "stale plan" in line and line.count(doc["digest"]) == 1, line
