"""`regctl commit-back` against a real bare remote, from a depth-1 checkout without a git
identity (as on a CI runner): bounded attempts with growing waits, a leftover rebase
aborted, errors without runner paths, the newer manifest kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.gitops.runner import Remote, git

from regctl.deploy.commit_back import CommitBackError, commit_back

LOCK = "deploy/dev/manifest.lock.json"


def manifest(commit: str | None, n: int = 1) -> str:
    return json.dumps({"kind": "Manifest", "n": n, "source": {"commit": commit}}) + "\n"


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    remote = Remote(tmp_path)
    remote.push({"README.md": "# r\n", "registry/registry.yaml": "kind: Registry\n"}, "first")
    return remote


def checkout(remote: Remote, where: Path) -> Path:
    """A runner's checkout: depth 1, no identity (git may not guess one)."""
    home = where.parent / f"{where.name}-home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    env = _runner_env(home)
    sha = remote.head()
    for args in (
        ["init", "-q", str(where)],
        ["-C", str(where), "remote", "add", "origin", remote.url],
        [
            "-C",
            str(where),
            "fetch",
            "-q",
            "--depth=1",
            "origin",
            f"+{sha}:refs/remotes/origin/main",
        ],
        ["-C", str(where), "checkout", "-q", "-B", "main", "refs/remotes/origin/main"],
    ):
        subprocess.run(["git", *args], env=env, check=True, capture_output=True)
    return where


def _runner_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "EMAIL"))}
    return {**env, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}


def test_commits_without_an_identity_on_the_runner(
    remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = checkout(remote, tmp_path / "ws")
    for k, v in _runner_env(tmp_path / "ws-home").items():
        monkeypatch.setenv(k, v)
    for k in [k for k in os.environ if k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))]:
        monkeypatch.delenv(k)
    plain = subprocess.run(["git", "commit", "--allow-empty", "-qm", "x"], cwd=ws,
                           capture_output=True, text=True)  # fmt: skip
    assert plain.returncode != 0 and "identity" in plain.stderr.lower()  # as on a runner
    (ws / LOCK).parent.mkdir(parents=True)
    (ws / LOCK).write_text(manifest(None))
    out = commit_back(ws, ws / LOCK, branch="main", message="regctl apply dev", backoff=0)
    assert out.status == "committed" and out.attempts == 1
    assert remote.log()[0].endswith("regctl regctl apply dev")
    assert remote.show("main", LOCK) == manifest(None)
    again = commit_back(ws, ws / LOCK, branch="main", message="regctl apply dev", backoff=0)
    assert again.status == "unchanged" and remote.log()[0].endswith("regctl apply dev")


def test_bounded_attempts_growing_waits_and_no_runner_path(remote: Remote, tmp_path: Path) -> None:
    ws = checkout(remote, tmp_path / "ws")
    (ws / LOCK).parent.mkdir(parents=True)
    (ws / LOCK).write_text(manifest(None))
    remote.interfere(10)  # every push finds that another landed first
    waits: list[float] = []
    with pytest.raises(CommitBackError) as caught:
        commit_back(ws, ws / LOCK, branch="main", message="m", attempts=4, backoff=1.0,
                    sleep=waits.append)  # fmt: skip
    text = str(caught.value)
    assert text.startswith(f"could not push {LOCK} to main after 4 attempt(s): ")
    assert str(tmp_path) not in text  # never an absolute runner path
    assert len(waits) == 3 and all(lo <= w <= 2 * lo for w, lo in zip(waits, (1, 2, 4)))
    assert (ws / ".git" / "rebase-merge").exists() is False
    assert LOCK not in git("ls-tree", "-r", "--name-only", "main", cwd=remote.path)
    remote.interfere(0)
    done = commit_back(ws, ws / LOCK, branch="main", message="m", backoff=0)
    assert done.status == "committed"  # the same checkout, run again: it converges
    assert len([ln for ln in remote.log() if "someone else's push" in ln]) == 4


def test_a_rebase_left_in_progress_is_aborted(remote: Remote, tmp_path: Path) -> None:
    ws = checkout(remote, tmp_path / "ws")
    (ws / "README.md").write_text("# mine\n")
    git("commit", "-qam", "mine", cwd=ws)
    remote.push({"README.md": "# theirs\n"}, "theirs")
    git("fetch", "-q", "origin", "main", cwd=ws)
    stuck = subprocess.run(["git", "rebase", "FETCH_HEAD"], cwd=ws, env={**os.environ,
                           "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@a",
                           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@a"},
                           capture_output=True, text=True)  # fmt: skip
    assert stuck.returncode != 0 and (ws / ".git" / "rebase-merge").is_dir()
    (ws / LOCK).parent.mkdir(parents=True)
    (ws / LOCK).write_text(manifest(None))
    done = commit_back(ws, ws / LOCK, branch="main", message="m", backoff=0)
    assert done.status == "committed"
    assert not (ws / ".git" / "rebase-merge").exists()
    assert remote.show("main", "README.md") == "# theirs\n"  # the branch's files are kept


def test_the_newer_manifest_wins_either_way(remote: Remote, tmp_path: Path) -> None:
    old = remote.head()
    new = remote.push({"registry/registry.yaml": "kind: Registry\nname: b\n"}, "registry b")
    remote.push({LOCK: manifest(new, 2)}, "the newer apply")
    ws = checkout(remote, tmp_path / "ws")
    (ws / LOCK).write_text(manifest(old, 1))  # an old job, re-run
    out = commit_back(ws, ws / LOCK, branch="main", message="m", backoff=0)
    assert out.status == "superseded" and new[:12] in out.detail
    assert json.loads(remote.show("main", LOCK))["n"] == 2
    newest = remote.push({"registry/registry.yaml": "kind: Registry\nname: c\n"}, "registry c")
    ws2 = checkout(remote, tmp_path / "ws2")
    (ws2 / LOCK).write_text(manifest(newest, 3))
    assert commit_back(ws2, ws2 / LOCK, branch="main", message="m", backoff=0).status == (
        "committed"
    )
    assert json.loads(remote.show("main", LOCK))["n"] == 3


def test_cli_nothing_to_commit_for_other_targets_and_a_usage_error_without_a_branch(
    tmp_path: Path,
) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "registry.yaml").write_text(
        "apiVersion: regctl/v1\nkind: Registry\ntargets:\n  prod: https://cfg.example.com/m\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_REF_NAME"}
    run = [sys.executable, "-m", "regctl", "commit-back", "registry", "--env", "prod"]
    done = subprocess.run([*run, "--branch", "main"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and "nothing to commit" in done.stdout, done.stderr
    missing = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "--branch" in missing.stderr
    assert missing.stderr.splitlines()[-1].startswith("hint: ")
