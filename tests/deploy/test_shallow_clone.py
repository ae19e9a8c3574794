"""Deploy decisions from content only: a depth-1 CI checkout and a laptop's full clone agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from deploy_fixtures import SECRET, TargetServer, regctl

from regctl.canonical import compute_digest
from regctl.client import Registry

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"


def _git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def _origin(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose registry was last touched one commit before HEAD."""
    origin = tmp_path / "origin"
    shutil.copytree(EXAMPLE, origin / "registry")
    _git("init", "-q", ".", cwd=origin)
    _git("add", ".", cwd=origin)
    _git("commit", "-qm", "registry", cwd=origin)
    registry_commit = _git("rev-parse", "HEAD", cwd=origin)
    (origin / "README.md").write_text("unrelated change\n")
    _git("add", ".", cwd=origin)
    _git("commit", "-qm", "docs", cwd=origin)
    return origin, registry_commit


def test_shallow_and_full_clones_compile_to_one_digest_and_plan_no_changes(
    tmp_path: Path, http_target: TargetServer
) -> None:
    origin, registry_commit = _origin(tmp_path)
    shallow, full = tmp_path / "ci", tmp_path / "laptop"
    # file:// so that --depth applies (a plain local path ignores it).
    _git("clone", "-q", "--depth", "1", origin.resolve().as_uri(), str(shallow), cwd=tmp_path)
    _git("clone", "-q", str(origin), str(full), cwd=tmp_path)
    assert _git("rev-parse", "--is-shallow-repository", cwd=shallow) == "true"

    locks = {}
    for name, clone in (("ci", shallow), ("laptop", full)):
        out = tmp_path / f"{name}.lock.json"
        done = regctl("compile", "registry", "--env", "prod", "-o", str(out), cwd=clone)
        assert done.returncode == 0, done.stderr
        locks[name] = json.loads(out.read_text())
    # The commit differs (the shallow clone's graft root "touches" every file) ...
    assert locks["laptop"]["source"]["commit"] == registry_commit
    assert locks["ci"]["source"]["commit"] == _git("rev-parse", "HEAD", cwd=origin)
    # ... yet the digest, and so every deploy decision, is the same.
    assert locks["ci"]["digest"] == locks["laptop"]["digest"]
    assert compute_digest(locks["ci"]) == locks["ci"]["digest"]

    # CI (shallow) applies to the shared target; the laptop (full) plans against it.
    target = ("--target", http_target.url)
    applied = regctl("apply", "registry", "--env", "prod", *target, "--auto-approve", cwd=shallow)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    plan = regctl("plan", "registry", "--env", "prod", *target, "--detailed-exitcode", cwd=full)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes" in plan.stdout and "Traceback" not in plan.stderr
    assert SECRET not in plan.stdout + plan.stderr
    # And the other way round: the laptop applying would be a no-op for CI too.
    back = regctl("plan", "registry", "--env", "prod", *target, "--detailed-exitcode", cwd=shallow)
    assert back.returncode == 0 and "No changes" in back.stdout, back.stdout + back.stderr

    # The client verifies what CI deployed, commit and all (fast path: the file as written).
    assert http_target.body is not None
    deployed = tmp_path / "deployed.json"
    deployed.write_bytes(http_target.body)
    assert Registry.load(str(deployed)).digest == locks["laptop"]["digest"]
