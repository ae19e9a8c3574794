"""Commit a file target's manifest back to its branch, and converge when the branch moves.

After ``apply`` in CI, the manifest of a file target is a file in the job's checkout; it is
deployed once it is on the branch. Other pushes land while apply runs, a job is re-run
days later, a runner has no git identity: :func:`commit_back` copes with each.

- Every git command carries the identity (``-c user.name=… -c user.email=…``): a runner
  has none, and a commit or a rebase without one stops half-way.
- It never rebases the checkout. Each attempt fetches the branch and writes a one-file
  commit on top of the fetched tip (plumbing: a temporary index, ``commit-tree``), so a
  conflict cannot leave a half-done rebase, and other files the branch changed meanwhile
  are kept. A rebase or merge a previous tool left in progress in a reused workspace is
  aborted first.
- The push is a plain fast-forward: when another push lands between fetch and push it is
  rejected, and the next attempt (after a backoff with jitter) fetches again. Attempts are
  bounded; the last error names the file relative to the repository, never a runner path.
- When the branch already holds a manifest for this target, the newer one wins: ours,
  unless its ``source.commit`` is an ancestor of the branch's (a newer apply committed
  already, e.g. when an old job is re-run). Equal bytes: nothing to do. So running it
  again is always safe.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from regctl.base.errors import RegctlError
from regctl.base.redact import redact

#: The identity of the bot commit (GitHub's noreply domain: no mailbox, no account).
DEFAULT_NAME = "regctl"
DEFAULT_EMAIL = "regctl@users.noreply.github.com"
GIT_TIMEOUT = 120.0  # one fetch or push over a slow network
MAX_SLEEP = 30.0


class CommitBackError(RegctlError):
    """The manifest could not be committed or pushed (exit 1)."""


@dataclass(frozen=True)
class Outcome:
    """What :func:`commit_back` did: ``committed``, ``unchanged`` or ``superseded``."""

    status: str
    commit: str | None
    attempts: int
    detail: str = ""


class Git:
    """``git`` in one repository, with the identity on every command, never prompting."""

    def __init__(self, repo: Path, name: str, email: str) -> None:
        self.repo = repo
        self.identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
        self.env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",  # a missing credential fails instead of waiting
            "LC_ALL": "C",  # messages parsed below are git's English ones
        }

    def run(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        try:
            proc = subprocess.run(
                ["git", *self.identity, *args],
                cwd=self.repo,
                env={**self.env, **(env or {})},
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CommitBackError(f"git {args[0]} did not finish in {GIT_TIMEOUT:.0f} s") from None
        if check and proc.returncode != 0:
            raise CommitBackError(f"git {args[0]} failed: {self.why(proc)}")
        return proc

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def why(self, proc: subprocess.CompletedProcess[str], remote: str = "") -> str:
        """git's telling error line: the rejection if there is one, else the last line.

        The checkout's absolute path is shown as ``.`` and the remote's URL by the
        remote's name: neither a runner's folders nor a URL's credentials reach a log.
        """
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        rejected = [ln for ln in lines if "rejected]" in ln]
        text = (rejected or lines or [f"exit {proc.returncode}"])[-1]
        if remote:
            url = self.run("remote", "get-url", remote, check=False).stdout.strip()
            if url:
                text = text.replace(url, remote)
        return redact(text.replace(str(self.repo), "."))


def commit_back(
    repo: Path,
    path: Path,
    *,
    branch: str,
    message: str,
    remote: str = "origin",
    attempts: int = 5,
    backoff: float = 2.0,
    name: str = DEFAULT_NAME,
    email: str = DEFAULT_EMAIL,
    log: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Put ``path`` (a file in the checkout ``repo``) on ``remote``'s ``branch``.

    See the module docstring. ``attempts`` >= 1 pushes at most; ``backoff`` seconds is
    the first wait, doubled each time (capped at 30 s), with up to as much again of
    random jitter so that parallel jobs spread out.
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    top = Path(Git(repo, name, email).out("rev-parse", "--show-toplevel")).resolve()
    git = Git(top, name, email)
    # The manifest is read once, bounded and only as a regular file (a FIFO or a device
    # put in its place fails here), and the bytes read are the bytes committed.
    ours = _read_manifest(path)
    try:
        rel = path.resolve().relative_to(top).as_posix()
    except ValueError:
        raise CommitBackError(f"{path.name} is not inside the repository") from None
    _abort_leftovers(git, log)
    last = ""
    for attempt in range(1, attempts + 1):
        fetched = git.run("fetch", "--quiet", "--no-tags", remote, branch, check=False)
        if fetched.returncode != 0:
            last = git.why(fetched, remote)
        else:
            tip = git.out("rev-parse", "FETCH_HEAD")
            theirs = _blob(git, tip, rel)
            if theirs == ours:
                return Outcome("unchanged", None, attempt, f"{branch} already holds {rel}")
            newer = _newer_on_branch(git, ours, theirs, remote, branch)
            if newer:
                return Outcome("superseded", None, attempt, newer)
            commit = _commit_onto(git, tip, rel, path, ours, message)
            pushed = git.run(
                "push", "--quiet", remote, f"{commit}:refs/heads/{branch}", check=False
            )
            if pushed.returncode == 0:
                return Outcome("committed", commit, attempt)
            last = git.why(pushed, remote)
        if attempt < attempts:
            wait = min(backoff * 2 ** (attempt - 1), MAX_SLEEP)
            wait += random.uniform(0, wait)
            log(f"push of {rel} to {branch} failed ({last}); attempt {attempt + 1} in {wait:.1f} s")
            sleep(wait)
    raise CommitBackError(f"could not push {rel} to {branch} after {attempts} attempt(s): {last}")


def _read_manifest(path: Path) -> bytes:
    """The manifest's bytes (the file target's own bounded read: regular file, no symlink)."""
    from regctl.deploy.targets.file import MAX_MANIFEST_BYTES
    from regctl.io import safeio

    try:
        return safeio.read_regular(path, MAX_MANIFEST_BYTES, follow_symlinks=False)
    except safeio.SafeReadError as exc:
        raise CommitBackError(f"{path.name} {exc}") from None


def _abort_leftovers(git: Git, log: Callable[[str], None]) -> None:
    """Abort a rebase or merge a previous run left in a reused workspace."""
    for marker, command in (
        ("rebase-merge", ["rebase", "--abort"]),
        ("rebase-apply", ["rebase", "--abort"]),
        ("MERGE_HEAD", ["merge", "--abort"]),
    ):
        where = git.out("rev-parse", "--git-path", marker)
        if (git.repo / where).exists():
            log(f"aborting a {command[0]} left in progress")
            git.run(*command, check=False)


def _blob(git: Git, commit: str, rel: str) -> bytes | None:
    """The bytes of ``rel`` at ``commit``, or None when it has no such file."""
    proc = subprocess.run(
        ["git", "cat-file", "blob", f"{commit}:{rel}"],
        cwd=git.repo,
        env=git.env,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def _source_commit(data: bytes | None) -> str | None:
    try:
        doc = json.loads(data or b"")
        commit = doc["source"]["commit"]
    except (ValueError, KeyError, TypeError):
        return None
    return commit if isinstance(commit, str) and len(commit) == 40 else None


def _newer_on_branch(git: Git, ours: bytes, theirs: bytes | None, remote: str, branch: str) -> str:
    """Why the branch's manifest wins (its source commit descends from ours), or ``""``."""
    mine, other = _source_commit(ours), _source_commit(theirs)
    if mine is None or other is None or mine == other:
        return ""
    if not _is_ancestor(git, mine, other, remote, branch):
        return ""
    return (
        f"the branch already holds a newer manifest (built from {other[:12]}, "
        f"this run's from {mine[:12]}); nothing committed"
    )


def _is_ancestor(git: Git, older: str, newer: str, remote: str, branch: str) -> bool:
    """Whether ``older`` is an ancestor of ``newer``; a shallow clone is deepened to tell."""
    for _ in range(2):
        if git.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0:
            return True
        if git.out("rev-parse", "--is-shallow-repository") != "true":
            return False
        # Rare (two manifests for one target at once): fetching the branch's whole history
        # once is the price of an answer that a cut history cannot give.
        git.run("fetch", "--quiet", "--no-tags", "--unshallow", remote, branch, check=False)
    return False


def _hash_object(git: Git, data: bytes) -> str:
    """Store ``data`` as a blob (the bytes read once, not the file again); its id."""
    proc = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=git.repo,
        env=git.env,
        input=data,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise CommitBackError("git hash-object failed")
    return proc.stdout.decode("ascii").strip()


def _commit_onto(git: Git, tip: str, rel: str, path: Path, data: bytes, message: str) -> str:
    """A commit on ``tip`` whose tree is ``tip``'s with ``rel`` set to ``data``."""
    blob = _hash_object(git, data)
    mode = "100755" if os.access(path, os.X_OK) else "100644"
    with tempfile.TemporaryDirectory(prefix="regctl-commit-back-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}  # the checkout's index untouched
        git.run("read-tree", tip, env=index)
        git.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{rel}", env=index)
        tree = git.run("write-tree", env=index).stdout.strip()
    return git.out("commit-tree", tree, "-p", tip, "-m", message)
