"""The shipped registry workflow, driven end to end by a simulated runner (tests/gitops/runner.py).

A real bare remote, depth-1 checkouts, no git identity on the runner, ``GITHUB_*`` files.
Targets: dev is a file target in the repository (committed back), prod a loopback HTTP
server. Covered: a pull request (valid and broken), a merge, pushes landing while apply
runs (1, 2 and 5 at once, and more landing between the commit-back's fetch and push), a
re-run (also of an old job after a newer apply), a README-only commit, and a rollback by
``git revert``.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.gitops.runner import WORKFLOW, Event, Remote, Runner, git

from regctl.base.canonical import compute_digest

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"
READ_TOKEN = "read-" + "Rk7" * 10
WRITE_TOKEN = "write-" + "Wq3" * 10
DEV_LOCK = "deploy/dev/manifest.lock.json"
TPM = "      tpm: 800000\n"
DEV_YAML = "registry/environments/dev.yaml"
OPENAI = "  openai:\n    models:"
LIMITED = "  openai:\n    rate_limits: {{rpm: {rpm}}}\n    models:"


@pytest.fixture
def bindir(action_install: tuple[Path, str]) -> Path:
    """The bin folder of the venv the action's install step filled (regctl, python)."""
    return action_install[0]


@pytest.fixture
def runner(tmp_path: Path, bindir: Path, http_target: Any) -> Runner:
    """A remote whose main holds the example registry (dev: file, prod: HTTP)."""
    remote = Remote(tmp_path)
    seed = tmp_path / "seed"
    shutil.copytree(EXAMPLE, seed / "registry")
    reg = seed / "registry" / "registry.yaml"
    reg.write_text(
        reg.read_text().replace(
            "prod: file:deploy/prod/manifest.lock.json", f"prod: {http_target.url}"
        )
    )
    (seed / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, seed / ".github" / "workflows" / "registry.yml")
    from regctl.authoring.init import GITIGNORE_LINES

    (seed / ".gitignore").write_text("\n".join(GITIGNORE_LINES) + "\n")
    (seed / "README.md").write_text("# models\n")
    git("init", "-q", "-b", "main", cwd=seed)
    git("add", ".", cwd=seed)
    git("commit", "-qm", "registry", cwd=seed)
    git("push", "-q", remote.url, "main", cwd=seed)
    secrets = {
        "REGCTL_READ_TOKEN": READ_TOKEN,
        "REGCTL_TARGET_TOKEN": WRITE_TOKEN,
        "REGCTL_TARGET_ALLOWED_HOSTS": "127.0.0.1",  # the loopback target, as the secret says
    }
    action_path = bindir.parents[1] / "action"  # the checkout the install step built from
    return Runner(tmp_path / "runs", remote, bindir, action_path, secrets)


def push_event(remote: Remote, before: str | None = None) -> Event:
    sha = remote.head()
    return Event("push", sha, "refs/heads/main", remote.changed(before, sha))


def edit(remote: Remote, rel: str, old: str, new: str, message: str) -> str:
    """Push a commit that replaces ``old`` by ``new`` in ``rel`` (from a fresh clone)."""
    text = remote.show("main", rel)
    assert old in text, (rel, old)
    return remote.push({rel: text.replace(old, new, 1)}, message)


def applied(remote: Remote, rev: str = "main") -> dict[str, Any]:
    return json.loads(remote.show(rev, DEV_LOCK))


def bot_commits(remote: Remote) -> list[str]:
    return [line for line in remote.log() if " regctl regctl apply " in line]


def registry_commit(remote: Remote, rev: str = "main") -> str:
    return git("log", "-1", "--format=%H", rev, "--", "registry", cwd=remote.path)


def merge(runner: Runner) -> Any:
    """Push a change of dev's manifest and run the workflow, as merging a pull request does."""
    before = runner.remote.head()
    edit(runner.remote, DEV_YAML, OPENAI, LIMITED.format(rpm=300), "dev: openai rate limits")
    event = push_event(runner.remote, before)
    assert runner.triggered(event)
    return runner.run(event)


def test_workflow_shape_least_privilege() -> None:
    spec = yaml.safe_load(WORKFLOW.read_text())
    assert spec["permissions"] == {"contents": "read"}
    jobs = spec["jobs"]
    assert jobs["plan"]["permissions"] == {"contents": "read"}
    assert jobs["validate"]["permissions"] == {"contents": "read"}
    plan_text = yaml.safe_dump(jobs["plan"])
    assert "REGCTL_TARGET_TOKEN:" not in plan_text and "REGCTL_TARGET_READ_TOKEN" in plan_text
    assert "secrets.REGCTL_TARGET_TOKEN" not in plan_text
    assert "READ" in plan_text.split("etcd-user:")[1].split("\n")[0]  # read-only etcd user
    assert "READ" in plan_text.split("aws-access-key-id:")[1].split("\n")[0]
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "push" in jobs["apply"]["if"] and "default_branch" in jobs["apply"]["if"]
    # validation (and its annotations) once per run, not once per matrix leg
    assert "strategy" not in jobs["validate"]
    assert jobs["plan"]["needs"] == jobs["apply"]["needs"] == "validate"
    for name in ("plan", "apply"):
        assert all(s.get("with", {}).get("command") != "validate" for s in jobs[name]["steps"])


def test_pull_request_valid_then_merged(runner: Runner, http_target: Any) -> None:
    remote = runner.remote
    first = runner.run(push_event(remote))  # the first push deploys dev and prod
    assert all(j.code == 0 for legs in first.jobs.values() for j in legs), first.text()
    dev = first.job("apply", "dev")
    assert "regctl apply dev" in remote.log()[0] and " regctl " in remote.log()[0]
    tracked = git("ls-tree", "-r", "--name-only", "main", "deploy", cwd=remote.path)
    assert tracked.splitlines() == [DEV_LOCK]  # never the lock file or the history
    assert "**Applied** sha256" in dev.summary and "#### Activations" in dev.summary
    assert applied(remote)["source"]["commit"] == registry_commit(remote)

    # A pull request: validate once, plan each environment with the read-only token only.
    clone = remote.clone()
    git("checkout", "-q", "-b", "higher-tpm", cwd=clone)
    prod = clone / "registry" / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace(TPM, "      tpm: 900000\n"))
    git("commit", "-qam", "prod: higher tpm", cwd=clone)
    git("push", "-q", "origin", "higher-tpm", cwd=clone)
    sha = remote.pull_request("higher-tpm")
    http_target.requests.clear()
    event = Event("pull_request", sha, "refs/pull/7/merge", remote.changed(remote.head(), sha))
    assert runner.triggered(event)
    pr = runner.run(event)
    assert set(pr.jobs) == {"validate", "plan"} and pr.skipped == ["apply"], pr.text()
    assert all(j.code == 0 for legs in pr.jobs.values() for j in legs), pr.text()
    for env, changes in (("dev", "false"), ("prod", "true")):
        leg = pr.job("plan", env)
        assert leg.ctx["steps"]["action-plan"]["outputs"]["changes"] == changes, leg.text()
        assert ("No changes" in leg.summary) == (changes == "false"), leg.summary
    assert "tpm" in pr.job("plan", "prod").summary
    sent = [h.get("Authorization") for _, h in http_target.requests]
    assert sent and all(a in (None, f"Bearer {READ_TOKEN}") for a in sent), sent
    assert WRITE_TOKEN not in pr.text() + pr.job("plan", "prod").summary
    assert "No problems" in pr.job("validate").summary and not pr.annotations()

    # Merged: prod is applied over HTTP; dev has nothing new, so nothing is committed.
    before = remote.head()
    git("checkout", "-q", "main", cwd=clone)
    git("merge", "-q", "--ff-only", "higher-tpm", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    merged = runner.run(push_event(remote, before))
    assert all(j.code == 0 for legs in merged.jobs.values() for j in legs), merged.text()
    assert json.loads(http_target.body)["providers"]["openai"]["rate_limits"]["tpm"] == 900000
    assert [h for m, h in http_target.requests if m == "PUT"][-1]["Authorization"] == (
        f"Bearer {WRITE_TOKEN}"
    )
    deployed = json.loads(http_target.body)
    assert compute_digest(deployed) == deployed["digest"]
    assert len(bot_commits(remote)) == 1  # the dev manifest did not change
    assert "holds" in merged.job("apply", "dev").text()


def test_broken_pull_request_annotates_once_and_summarizes(runner: Runner) -> None:
    remote = runner.remote
    clone = remote.clone()
    git("checkout", "-q", "-b", "broken", cwd=clone)
    path = clone / "registry" / "environments" / "dev.yaml"
    path.write_text(path.read_text().replace("active: [chat]", "active: [chatt]", 1))
    git("commit", "-qam", "typo", cwd=clone)
    git("push", "-q", "origin", "broken", cwd=clone)
    sha = remote.pull_request("broken")
    pr = runner.run(Event("pull_request", sha, "refs/pull/7/merge", ["registry/x"]))
    validate = pr.job("validate")
    assert validate.code == 1, pr.text()
    assert "plan" in pr.skipped and "plan" not in pr.jobs  # needs: validate
    notes = pr.annotations()
    assert all(" file=registry/" in n for n in notes), notes  # repository-relative
    assert any("file=registry/environments/dev.yaml,line=" in n for n in notes), notes
    assert len(notes) == len(set(notes))  # one set for the run, not one per environment
    summary = validate.summary
    assert "regctl validate failed" in summary and "registry/environments/dev.yaml:" in summary
    assert "active-capability" in summary, summary


@pytest.mark.parametrize("concurrent", [1, 2, 5])
def test_pushes_landing_while_apply_runs_converge(runner: Runner, concurrent: int) -> None:
    remote = runner.remote
    first = runner.run(push_event(remote))
    assert first.job("apply", "dev").code == 0, first.text()
    # A change to dev's chat model is merged; while its apply runs, `concurrent` other
    # pushes land (one of them a registry change of its own), and two more land between
    # the commit-back's fetch and its push.
    before = remote.head()
    edit(remote, DEV_YAML, OPENAI, LIMITED.format(rpm=100), "dev: openai rate limits")
    event = push_event(remote, before)
    landed: dict[int, str] = {}

    def during_apply() -> Callable[[], None]:
        def one(i: int) -> None:
            if i == 0:  # another merge: dev's openai gets other rate limits
                text = remote.show("main", DEV_YAML).replace("rpm: 100", "rpm: 200", 1)
                landed[i] = remote.push({DEV_YAML: text}, "dev: higher rate limits")
            else:
                landed[i] = remote.push({f"docs/note-{i}.md": f"{i}\n"}, f"note {i}")

        threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrent)]
        for t in threads:
            t.start()

        def end() -> None:
            for t in threads:
                t.join()
            remote.interfere(2)

        return end

    runner.during = {"Apply": during_apply}  # the action's step, in the first leg (dev)
    run = runner.run(event)
    dev = run.job("apply", "dev")
    assert dev.code == 0, run.text()
    assert len(landed) == concurrent
    log = "\n".join(remote.log())
    assert all(sha in log for sha in landed.values())  # nobody's push was lost
    assert "someone else's push 1" in log and "someone else's push 2" in log
    assert "attempt 3" in dev.text(), dev.text()  # rejected twice, then pushed
    manifest = applied(remote)
    assert manifest["providers"]["openai"]["rate_limits"]["rpm"] == 100
    assert manifest["source"]["commit"] == event.sha  # this run's registry, not the later one
    # The run of the merge that landed meanwhile checks out its own commit, which still
    # has the older manifest, while main already holds this run's: its newer one wins.
    other = landed[0]
    later = runner.run(Event("push", other, "refs/heads/main", remote.changed(event.sha, other)))
    assert later.job("apply", "dev").code == 0, later.text()
    newest = applied(remote)
    assert newest["source"]["commit"] == other
    assert newest["providers"]["openai"]["rate_limits"]["rpm"] == 200


def test_rerun_and_an_old_job_rerun_after_a_newer_apply(runner: Runner) -> None:
    remote = runner.remote
    event = push_event(remote)
    assert runner.run(event).job("apply", "dev").code == 0
    commits = len(bot_commits(remote))
    remote.push({"docs/other.md": "x\n"}, "unrelated")
    again = runner.run(event)  # "Re-run all jobs": the same sha, main has moved
    assert again.job("apply", "dev").code == 0, again.text()
    assert "already holds" in again.job("apply", "dev").text()
    assert len(bot_commits(remote)) == commits
    # A newer change is applied; then the old run is re-run once more: it must not
    # put its older manifest back.
    newer = merge(runner)
    assert newer.job("apply", "dev").code == 0, newer.text()
    newest = applied(remote)
    old = runner.run(event)
    dev = old.job("apply", "dev")
    assert dev.code == 0, old.text()
    assert "newer manifest" in dev.text() and "::warning " in dev.text()
    assert applied(remote) == newest


def test_readme_only_commit_runs_nothing_and_changes_no_manifest(runner: Runner) -> None:
    remote = runner.remote
    assert runner.run(push_event(remote)).job("apply", "dev").code == 0
    before = remote.head()
    manifest = applied(remote)
    remote.push({"README.md": "# models\n\nMore words.\n"}, "README only")
    event = push_event(remote, before)
    assert not runner.triggered(event)  # the paths filter
    # Run anyway (workflow_dispatch on that commit): the last registry commit is found
    # behind the depth-1 checkout, so the manifest is the same and nothing is committed.
    run = runner.run(event)
    dev = run.job("apply", "dev")
    assert dev.code == 0, run.text()
    assert "already holds" in dev.text()
    assert remote.head() == event.sha and applied(remote) == manifest
    assert manifest["source"]["commit"] == registry_commit(remote) != event.sha


def test_rollback_by_revert(runner: Runner, http_target: Any) -> None:
    remote = runner.remote
    assert runner.run(push_event(remote)).job("apply", "dev").code == 0
    original = applied(remote)
    before = remote.head()
    change = edit(remote, DEV_YAML, OPENAI, LIMITED.format(rpm=100), "dev: openai rate limits")
    changed = runner.run(push_event(remote, before))
    assert changed.job("apply", "dev").code == 0, changed.text()
    assert applied(remote)["providers"]["openai"]["rate_limits"]["rpm"] == 100
    clone = remote.clone()
    git("revert", "--no-edit", change, cwd=clone)
    before = remote.head()
    git("push", "-q", "origin", "main", cwd=clone)
    reverted = runner.run(push_event(remote, before))
    assert reverted.job("apply", "dev").code == 0, reverted.text()
    back = applied(remote)
    assert back["providers"]["openai"] == original["providers"]["openai"]
    assert back["digest"] == original["digest"]  # the content of before the change
    assert back["source"]["commit"] == registry_commit(remote) != original["source"]["commit"]
    assert json.loads(http_target.body)["digest"] == compute_digest(json.loads(http_target.body))
