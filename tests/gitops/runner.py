"""A GitHub Actions runner, simulated closely enough to drive the shipped workflow.

- The remote is a real bare repository (:class:`Remote`); developers push to it from
  their own clones, concurrently if a test wants, and a ``pre-receive`` hook can make
  "someone else's push" land between a job's fetch and its push (:meth:`Remote.interfere`).
- ``on:`` is evaluated with its ``paths`` filter against the files the event changed.
- Jobs run in ``needs`` order; a matrix job runs one leg after the other (``max-parallel:
  1``); a job whose ``needs`` failed is skipped; ``if:`` and ``${{ }}`` are evaluated by a
  small expression parser (``&&``, ``||``, ``==``, ``!=``, parentheses, ``format()``).
- ``actions/checkout@v4`` is what it does on a runner: ``git init``, a depth-1 fetch of the
  event's commit (``refs/pull/N/merge`` for a pull request), ``checkout -B`` the branch.
- The runner has **no git identity**: ``$HOME`` is empty but for a ``.gitconfig`` with
  ``user.useConfigOnly`` (git refuses to guess one, as on GitHub's runners), no
  ``GIT_AUTHOR_*``/``GIT_COMMITTER_*``, no system config.
- ``uses: regctl/regctl@…`` expands this repository's ``action.yml``; each ``run:`` runs in
  bash with the ``GITHUB_*`` files (step summary, output) of its job. The action's install
  step is run once per session by the ``action_install`` fixture; regctl is found on PATH.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tests.conftest import ROOT
from tests.gitops.expressions import condition, substitute
from tests.gitops.remote import Remote, git

__all__ = ["Event", "Remote", "Runner", "git"]

WORKFLOW = ROOT / ".github" / "workflows" / "registry.yml"
ACTION = ROOT / "action.yml"
SKIPPED = ("actions/setup-python@", "Install regctl")
_IDENTITY = ("GIT_AUTHOR_", "GIT_COMMITTER_", "EMAIL", "GIT_CONFIG")


@dataclass
class Event:
    """What triggered the run: ``push`` (sha on main) or ``pull_request`` (merge ref)."""

    name: str
    sha: str
    ref: str
    changed: list[str]


@dataclass
class Step:
    name: str
    code: int
    output: str


@dataclass
class Job:
    """One matrix leg of one job: its steps, outputs, summary and workspace."""

    name: str
    matrix: dict[str, str]
    folder: Path
    ctx: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    code: int = 0

    @property
    def workspace(self) -> Path:
        return self.folder / "workspace"

    @property
    def summary(self) -> str:
        return (self.folder / "summary.md").read_text()

    def text(self) -> str:
        return "\n".join(f"[{s.name}] exit {s.code}\n{s.output}" for s in self.steps)


@dataclass
class Run:
    """One workflow run: its jobs by name (each a list of matrix legs)."""

    event: Event
    jobs: dict[str, list[Job]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def job(self, name: str, env: str | None = None) -> Job:
        legs = [j for j in self.jobs[name] if env is None or j.matrix.get("env") == env]
        assert len(legs) == 1, (name, env, [j.matrix for j in self.jobs.get(name, [])])
        return legs[0]

    def annotations(self) -> list[str]:
        return [
            line
            for legs in self.jobs.values()
            for job in legs
            for step in job.steps
            for line in step.output.splitlines()
            if line.startswith(("::error ", "::warning ", "::notice "))
        ]

    def text(self) -> str:
        return "\n".join(
            f"== {name} {job.matrix}: exit {job.code}\n{job.text()}"
            for name, legs in self.jobs.items()
            for job in legs
        )


# -- the runner ----------------------------------------------------------------------------
@dataclass
class Runner:
    """Runs the workflow for events, as GitHub would (see the module docstring)."""

    tmp: Path
    remote: Remote
    bindir: Path
    action_path: Path
    secrets: dict[str, str] = field(default_factory=dict)
    #: step name -> called (once) when that step starts; returns what to call when it ends
    during: dict[str, Callable[[], Callable[[], None]]] = field(default_factory=dict)
    runs: int = 0

    def triggered(self, event: Event) -> bool:
        """Whether ``on:`` starts a run for this event (branches and ``paths`` filters)."""
        spec = yaml.safe_load(WORKFLOW.read_text())
        on = spec.get("on", spec.get(True))  # YAML 1.1 reads the key `on` as True
        trigger = on.get(event.name)
        if trigger is None:
            return False
        branch = event.ref.removeprefix("refs/heads/")
        if event.name == "push" and branch not in trigger.get("branches", [branch]):
            return False
        paths = trigger.get("paths")
        return paths is None or any(
            fnmatch.fnmatch(f, p.replace("**", "*")) for f in event.changed for p in paths
        )

    def run(self, event: Event) -> Run:
        """Every job of the workflow for ``event``, in ``needs`` order."""
        spec = yaml.safe_load(WORKFLOW.read_text())
        self.runs += 1
        result = Run(event)
        failed: set[str] = set()
        done: set[str] = set()
        pending = dict(spec["jobs"])
        while pending:
            name, job = next(
                (n, j) for n, j in pending.items() if set(_needs(j)) <= done | set(result.skipped)
            )
            del pending[name]
            ctx = self._context(event, {})
            if set(_needs(job)) & (failed | set(result.skipped)) or not condition(job, ctx):
                result.skipped.append(name)
                continue
            matrix = job.get("strategy", {}).get("matrix", {})
            legs = [{"env": e} for e in matrix.get("env", [])] or [{}]
            result.jobs[name] = []
            for leg in legs:
                ran = self._job(name, job, event, leg)
                result.jobs[name].append(ran)
                if ran.code:
                    failed.add(name)
            done.add(name)
        return result

    def _context(self, event: Event, matrix: dict[str, str]) -> dict[str, Any]:
        return {
            "github": {
                "event_name": event.name,
                "ref": event.ref,
                "sha": event.sha,
                "repository": "acme/models",
                "event": {"repository": {"default_branch": "main"}, "pull_request": {"number": 7}},
                "token": "",
                "action_path": str(self.action_path),
            },
            "matrix": matrix,
            "secrets": self.secrets,
            "steps": {},
            "inputs": {},
        }

    def _job(self, name: str, spec: dict[str, Any], event: Event, matrix: dict[str, str]) -> Job:
        folder = self.tmp / f"run{self.runs}-{name}-{matrix.get('env', '')}"
        folder.mkdir(parents=True)
        (folder / "summary.md").touch()
        home = folder / "home"
        home.mkdir()
        # No identity, and git may not guess one (user@hostname), as on GitHub's runners.
        (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
        ctx = self._context(event, matrix)
        ctx["github"]["workspace"] = str(folder / "workspace")
        job = Job(name, matrix, folder, ctx)
        for step in spec["steps"]:
            code = self._step(job, step, ctx, {})
            if code:
                job.code = code
                break
        return job

    def _step(
        self, job: Job, step: dict[str, Any], ctx: dict[str, Any], env: dict[str, str]
    ) -> int:
        if not condition(step, ctx):
            return 0
        env = {**env, **{k: substitute(v, ctx) for k, v in step.get("env", {}).items()}}
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            return self._checkout(job)
        if uses.startswith("regctl/regctl@"):
            action = yaml.safe_load(ACTION.read_text())
            inputs = {k: substitute(v.get("default", ""), ctx) for k, v in action["inputs"].items()}
            inputs.update({k: substitute(v, ctx) for k, v in step.get("with", {}).items()})
            inner = dict(ctx, inputs=inputs, steps={})
            for sub in action["runs"]["steps"]:
                code = self._step(job, sub, inner, env)
                if code:
                    return code
            ctx["steps"].update({f"action-{k}": v for k, v in inner["steps"].items()})
            return 0
        if uses.startswith(SKIPPED) or step.get("name", "").startswith(SKIPPED):
            return 0
        assert "run" in step, f"unsupported step {step}"
        name = substitute(step.get("name", step["run"][:40]), ctx)
        start = self.during.pop(name, None)
        end = start() if start is not None else None
        try:
            return self._bash(job, name, step, ctx, env)
        finally:
            if end is not None:
                end()

    def _checkout(self, job: Job) -> int:
        """actions/checkout@v4: a depth-1 fetch of the event's commit, then the branch."""
        event_ref = job.ctx["github"]["ref"]
        sha = job.ctx["github"]["sha"]
        ws = job.workspace
        ws.mkdir()
        run = self._runner_git
        run(ws, "init", "-q")
        run(ws, "remote", "add", "origin", self.remote.url)
        if event_ref.startswith("refs/heads/"):
            branch = event_ref.removeprefix("refs/heads/")
            run(
                ws,
                "fetch",
                "-q",
                "--no-tags",
                "--depth=1",
                "origin",
                f"+{sha}:refs/remotes/origin/{branch}",
            )
            run(ws, "checkout", "-q", "--force", "-B", branch, f"refs/remotes/origin/{branch}")
        else:
            local = event_ref.replace("refs/", "refs/remotes/", 1)
            run(ws, "fetch", "-q", "--no-tags", "--depth=1", "origin", f"+{sha}:{local}")
            run(ws, "checkout", "-q", "--force", local)
        return 0

    def _env(self, job: Job) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(_IDENTITY)}
        for name in list(base):
            if name.startswith(("REGCTL_TARGET_", "ETCDCTL_", "AWS_")):
                del base[name]
        branch = job.ctx["github"]["ref"].removeprefix("refs/heads/")
        return {
            **base,
            "HOME": str(job.folder / "home"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "PATH": f"{self.bindir}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(job.folder / "summary.md"),
            "GITHUB_WORKSPACE": str(job.workspace),
            "GITHUB_SHA": job.ctx["github"]["sha"],
            "GITHUB_REF": job.ctx["github"]["ref"],
            "GITHUB_REF_NAME": branch,
            "GITHUB_EVENT_NAME": job.ctx["github"]["event_name"],
            "GITHUB_REPOSITORY": "acme/models",
            "RUNNER_TEMP": str(job.folder),
            "NO_COLOR": "1",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
        }

    def _runner_git(self, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_IDENTITY)}
        env.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd.parent / "home"))
        proc = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, f"checkout: git {' '.join(args)}: {proc.stderr}"

    def _bash(
        self, job: Job, name: str, step: dict[str, Any], ctx: dict[str, Any], env: dict[str, str]
    ) -> int:
        script = substitute(step["run"], ctx)
        output = job.folder / f"output-{len(job.steps)}"
        output.touch()
        full = {**self._env(job), **env, "GITHUB_OUTPUT": str(output)}
        cwd = job.workspace / substitute(step.get("working-directory", "."), ctx)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd, env=full, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        job.steps.append(Step(name, proc.returncode, proc.stdout + proc.stderr))
        outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs}
        return proc.returncode


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)
