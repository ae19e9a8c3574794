"""The shipped registry workflow, step by step, in a real repository with a bare remote.

Each job of ``.github/workflows/registry.yml`` is run as a runner would: ``actions/checkout``
becomes a clone of the bare remote, ``uses: regctl/regctl@...`` expands this repository's
``action.yml`` (its ``if:`` conditions and ``${{ }}`` expressions evaluated), and every
``run:`` block runs in bash with ``GITHUB_*`` files in a temp folder. The action's
"Install regctl" step runs once per session (``action_install`` in conftest: the step's
script, unchanged, builds and installs a wheel from a copy of this repository into a fresh
venv, offline); every job then finds that regctl first on ``PATH``, as later steps of a
real job find what the first install put there. ``actions/setup-python`` is that venv.
Targets: dev is a file target in the repository, prod a loopback HTTP server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import ROOT

from regctl.base.canonical import compute_digest

EXAMPLE = ROOT / "registry"
WORKFLOW = ROOT / ".github" / "workflows" / "registry.yml"
ACTION = ROOT / "action.yml"
READ_TOKEN = "read-" + "Rk7" * 10
WRITE_TOKEN = "write-" + "Wq3" * 10
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SKIPPED = ("actions/setup-python@", "Install regctl")


def git(*args: str, cwd: Path) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=dev", "-c", "user.email=dev@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


class Job:
    """One matrix leg of one workflow job, with its step outputs and files."""

    def __init__(
        self,
        tmp: Path,
        name: str,
        event: str,
        ref: str,
        matrix: dict[str, str],
        secrets: dict[str, str],
        remote: Path,
        branch: str,
        bindir: Path,
        allowed: str = "",
    ) -> None:
        self.tmp = tmp / f"{name}-{matrix.get('env', '')}-{event}"
        self.tmp.mkdir(parents=True)
        self.workspace = self.tmp / "workspace"
        self.summary = self.tmp / "summary.md"
        self.summary.touch()
        self.ctx: dict[str, Any] = {
            "github": {
                "event_name": event,
                "ref": ref,
                "repository": "acme/models",
                "event": {"repository": {"default_branch": "main"}, "pull_request": {"number": 7}},
                "token": "",
                "action_path": str(ROOT),
                "workspace": str(self.workspace),
            },
            "matrix": matrix,
            "secrets": dict(secrets, REGCTL_TARGET_ALLOWED_HOSTS=allowed),
            "steps": {},
            "inputs": {},
        }
        self.remote, self.branch, self.bindir = remote, branch, bindir
        self.log: list[tuple[str, int, str]] = []

    # -- expressions -------------------------------------------------------------
    def value(self, expr: str, ctx: dict[str, Any]) -> Any:
        expr = expr.strip()
        if "&&" in expr:
            return all(self.value(part, ctx) for part in expr.split("&&"))
        if "==" in expr:
            a, b = expr.split("==", 1)
            return str(self.value(a, ctx)) == str(self.value(b, ctx))
        if expr.startswith("'") and expr.endswith("'"):
            return expr[1:-1]
        m = re.fullmatch(r"format\('([^']*)',\s*(.+)\)", expr)
        if m:
            return m.group(1).replace("{0}", str(self.value(m.group(2), ctx)))
        node: Any = ctx
        for part in expr.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def sub(self, text: Any, ctx: dict[str, Any]) -> str:
        return EXPR.sub(lambda m: str(self.value(m.group(1), ctx)), str(text))

    def cond(self, step: dict[str, Any], ctx: dict[str, Any]) -> bool:
        if "if" not in step:
            return True
        return bool(self.value(EXPR.sub(r"\1", str(step["if"])), ctx))

    # -- steps ---------------------------------------------------------------------
    def run(self, job: dict[str, Any]) -> int:
        """Run the job's steps in order; the first failing step's exit code, or 0."""
        for step in job["steps"]:
            code = self.step(step, self.ctx, {})
            if code:
                return code
        return 0

    def step(self, step: dict[str, Any], ctx: dict[str, Any], outer_env: dict[str, str]) -> int:
        if not self.cond(step, ctx):
            return 0
        env = dict(outer_env)
        env.update({k: self.sub(v, ctx) for k, v in step.get("env", {}).items()})
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            git(
                "clone",
                "-q",
                "--branch",
                self.branch,
                str(self.remote),
                str(self.workspace),
                cwd=self.tmp,
            )
            return 0
        if uses.startswith("regctl/regctl@"):
            return self.action(step, ctx, env)
        if uses.startswith(SKIPPED) or step.get("name", "").startswith(SKIPPED):
            return 0
        assert "run" in step, f"unsupported step {step}"
        return self.bash(step, ctx, env)

    def action(self, step: dict[str, Any], ctx: dict[str, Any], env: dict[str, str]) -> int:
        spec = yaml.safe_load(ACTION.read_text())
        inputs = {k: self.sub(v.get("default", ""), ctx) for k, v in spec["inputs"].items()}
        inputs.update({k: self.sub(v, ctx) for k, v in step.get("with", {}).items()})
        inner = dict(ctx, inputs=inputs, steps={})
        for sub in spec["runs"]["steps"]:
            code = self.step(sub, inner, env)
            if code:
                return code
        ctx["steps"].update({f"action-{k}": v for k, v in inner["steps"].items()})
        return 0

    def bash(self, step: dict[str, Any], ctx: dict[str, Any], env: dict[str, str]) -> int:
        script = self.sub(step["run"], ctx)
        output = self.tmp / f"output-{len(self.log)}"
        output.touch()
        full = dict(os.environ)
        for name in (
            "REGCTL_TARGET_TOKEN",
            "REGCTL_TARGET_READ_TOKEN",
            "REGCTL_TARGET_ALLOWED_HOSTS",
        ):
            full.pop(name, None)
        full.update(
            env,
            PATH=f"{self.bindir}{os.pathsep}{os.environ['PATH']}",
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_OUTPUT=str(output),
            GITHUB_WORKSPACE=str(self.workspace),
            RUNNER_TEMP=str(self.tmp),
            GITHUB_EVENT_NAME=ctx["github"]["event_name"],
            GITHUB_REF=ctx["github"]["ref"],
            NO_COLOR="1",
            CI="true",
            GITHUB_ACTIONS="true",
        )
        cwd = self.workspace / self.sub(step.get("working-directory", "."), ctx)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=full,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.log.append((step.get("name", script[:40]), proc.returncode, proc.stdout + proc.stderr))
        outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs}
        return proc.returncode

    def text(self) -> str:
        return "\n".join(f"[{name}] exit {code}\n{out}" for name, code, out in self.log)


@pytest.fixture
def bindir(action_install: tuple[Path, str]) -> Path:
    """The bin folder of the venv the action's install step filled (regctl, python)."""
    return action_install[0]


def _seed(tmp_path: Path, target_url: str) -> tuple[Path, Path]:
    """A bare remote whose main holds the example registry (dev: file, prod: HTTP)."""
    remote, seed = tmp_path / "origin.git", tmp_path / "seed"
    git("init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    shutil.copytree(EXAMPLE, seed / "registry")
    reg = seed / "registry" / "registry.yaml"
    reg.write_text(
        reg.read_text().replace("prod: file:deploy/prod/manifest.lock.json", f"prod: {target_url}")
    )
    (seed / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, seed / ".github" / "workflows" / "registry.yml")
    from regctl.authoring.init import GITIGNORE_LINES

    (seed / ".gitignore").write_text("\n".join(GITIGNORE_LINES) + "\n")
    git("init", "-q", "-b", "main", cwd=seed)
    git("add", ".", cwd=seed)
    git("commit", "-qm", "registry", cwd=seed)
    git("remote", "add", "origin", str(remote), cwd=seed)
    git("push", "-q", "origin", "main", cwd=seed)
    return remote, seed


def _run(
    tmp: Path,
    job: str,
    event: str,
    env: str,
    remote: Path,
    branch: str,
    bindir: Path,
) -> Job:
    spec = yaml.safe_load(WORKFLOW.read_text())
    secrets = {"REGCTL_READ_TOKEN": READ_TOKEN, "REGCTL_TARGET_TOKEN": WRITE_TOKEN}
    ref = "refs/heads/main" if event == "push" else "refs/pull/7/merge"
    allowed = "127.0.0.1"  # the loopback target's host, as the repository secret says
    runner = Job(tmp, job, event, ref, {"env": env}, secrets, remote, branch, bindir, allowed)
    definition = spec["jobs"][job]
    assert runner.cond(definition, runner.ctx), f"{job} would not run on {event}"
    assert env in definition["strategy"]["matrix"]["env"]
    runner.exit = runner.run(definition)  # type: ignore[attr-defined]
    return runner


def test_workflow_shape_least_privilege() -> None:
    spec = yaml.safe_load(WORKFLOW.read_text())
    assert spec["permissions"] == {"contents": "read"}
    jobs = spec["jobs"]
    assert jobs["plan"]["permissions"] == {"contents": "read"}
    plan_text = yaml.safe_dump(jobs["plan"])
    assert "REGCTL_TARGET_TOKEN:" not in plan_text and "REGCTL_TARGET_READ_TOKEN" in plan_text
    assert "secrets.REGCTL_TARGET_TOKEN" not in plan_text
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "push" in jobs["apply"]["if"] and "default_branch" in jobs["apply"]["if"]


def test_pr_then_push_on_file_and_http_targets(
    tmp_path: Path, bindir: Path, http_target: Any
) -> None:
    remote, seed = _seed(tmp_path, http_target.url)

    # Push to main: apply dev (file target, committed back) then prod (HTTP).
    dev = _run(tmp_path, "apply", "push", "dev", remote, "main", bindir)
    assert dev.exit == 0, dev.text()
    prod = _run(tmp_path, "apply", "push", "prod", remote, "main", bindir)
    assert prod.exit == 0, prod.text()
    assert [h for m, h in http_target.requests if m == "PUT"][-1]["Authorization"] == (
        f"Bearer {WRITE_TOKEN}"
    )
    deployed = json.loads(http_target.body)
    assert deployed["environment"] == "prod" and compute_digest(deployed) == deployed["digest"]
    # Only the manifest came back: no lock file, no history, on the remote's main.
    git("pull", "-q", "origin", "main", cwd=seed)
    tracked = git("ls-files", "deploy", cwd=seed).splitlines()
    assert tracked == ["deploy/dev/manifest.lock.json"], tracked
    assert "regctl apply dev" in git("log", "-1", "--format=%s", cwd=seed)
    assert "Applied" in dev.summary.read_text()

    # A pull request switches dev's chat model: validate + plan, no write token.
    git("checkout", "-q", "-b", "cheaper", cwd=seed)
    path = seed / "registry" / "environments" / "prod.yaml"
    path.write_text(path.read_text().replace("      tpm: 800000\n", "      tpm: 900000\n"))
    git("commit", "-qam", "prod: higher tpm", cwd=seed)
    git("push", "-q", "origin", "cheaper", cwd=seed)
    for env, changes in (("dev", "false"), ("prod", "true")):
        http_target.requests.clear()
        pr = _run(tmp_path, "plan", "pull_request", env, remote, "cheaper", bindir)
        assert pr.exit == 0, pr.text()
        assert pr.ctx["steps"]["action-plan"]["outputs"]["changes"] == changes, pr.text()
        summary = pr.summary.read_text()
        assert ("No changes" in summary) == (changes == "false"), summary
        sent = [h.get("Authorization") for _, h in http_target.requests]
        assert all(a in (None, f"Bearer {READ_TOKEN}") for a in sent), sent
        assert WRITE_TOKEN not in pr.text() + summary
    assert "tpm" in (tmp_path / "plan-prod-pull_request" / "summary.md").read_text()

    # Merged: the push applies prod over HTTP; dev has nothing to do and commits nothing.
    git("checkout", "-q", "main", cwd=seed)
    git("merge", "-q", "--ff-only", "cheaper", cwd=seed)
    git("push", "-q", "origin", "main", cwd=seed)
    before = git("rev-parse", "main", cwd=remote)
    for env in ("dev", "prod"):
        again = _run(tmp_path / "merged", "apply", "push", env, remote, "main", bindir)
        assert again.exit == 0, again.text()
    assert git("rev-parse", "main", cwd=remote) == before  # nothing new to commit
    assert json.loads(http_target.body)["providers"]["openai"]["rate_limits"]["tpm"] == 900000


def test_broken_pr_fails_validate_with_annotations_at_the_repo_root(
    tmp_path: Path, bindir: Path, http_target: Any
) -> None:
    remote, seed = _seed(tmp_path, http_target.url)
    git("checkout", "-q", "-b", "broken", cwd=seed)
    path = seed / "registry" / "environments" / "dev.yaml"
    path.write_text(
        path.read_text().replace(
            "gpt-4o-mini:\n        active: [chat]", "gpt-4o-mini:\n        active: [chatt]", 1
        )
    )
    git("commit", "-qam", "typo", cwd=seed)
    git("push", "-q", "origin", "broken", cwd=seed)
    pr = _run(tmp_path, "plan", "pull_request", "dev", remote, "broken", bindir)
    assert pr.exit == 1, pr.text()
    name, code, out = pr.log[-1]
    assert name == "Validate" and code == 1
    lines = [ln for ln in out.splitlines() if ln.startswith("::error ")]
    assert lines and all("file=registry/environments/dev.yaml,line=" in ln for ln in lines), out
    assert "Plan" not in [n for n, _, _ in pr.log]  # the job stopped at the failing step
