"""The repository GitHub would hold, for the runner simulation (tests/gitops/runner.py).

A real bare repository; developers push to it from their own clones (concurrently if a
test wants), and a ``pre-receive`` hook can make "someone else's push" land between a
job's fetch and its push (:meth:`Remote.interfere`): the ref moves first, so git itself
rejects the push as it would on GitHub.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

DEV = {
    "GIT_AUTHOR_NAME": "dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}
HOOK = """#!/bin/bash
# Someone else's push lands first, as many times as the counter file says.
count_file="$GIT_DIR/interfere"
n=$(cat "$count_file" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] || exit 0
echo $((n - 1)) > "$count_file"
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
cur=$(git rev-parse refs/heads/main)
blob=$(printf 'other push %s\\n' "$n" | git hash-object -w --stdin)
export GIT_INDEX_FILE="$GIT_DIR/interfere-index"
git read-tree "$cur"
git update-index --add --cacheinfo 100644,"$blob",NOTES.md
tree=$(git write-tree)
new=$(GIT_AUTHOR_NAME=o GIT_AUTHOR_EMAIL=o@o GIT_COMMITTER_NAME=o GIT_COMMITTER_EMAIL=o@o \\
  git commit-tree "$tree" -p "$cur" -m "someone else's push $n")
git update-ref refs/heads/main "$new" "$cur"
rm -f "$GIT_INDEX_FILE"
"""


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """git as a developer on this machine (with an identity), failing loudly."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **DEV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout.strip()


class Remote:
    """The repository GitHub would hold: a bare repo, pushed to from developers' clones."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.path = tmp / "origin.git"
        git("init", "-q", "--bare", "-b", "main", str(self.path), cwd=tmp)
        git("config", "uploadpack.allowReachableSHA1InWant", "true", cwd=self.path)
        self.url = f"file://{self.path}"
        self._clones = 0
        self._lock = threading.Lock()

    def clone(self) -> Path:
        """A developer's full clone of main."""
        with self._lock:
            self._clones += 1
            where = self.tmp / f"dev-{self._clones}"
        git("clone", "-q", self.url, str(where), cwd=self.tmp)
        return where

    def push(self, files: dict[str, str], message: str, *, attempts: int = 20) -> str:
        """Commit ``files`` on main from a fresh clone and push (pulling again when beaten)."""
        where = self.clone()
        for rel, text in files.items():
            (where / rel).parent.mkdir(parents=True, exist_ok=True)
            (where / rel).write_text(text)
        git("add", "-A", cwd=where)
        git("commit", "-qm", message, cwd=where)
        for _ in range(attempts):
            done = subprocess.run(
                ["git", "push", "-q", "origin", "main"],
                cwd=where, env={**os.environ, **DEV}, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode == 0:
                return git("rev-parse", "HEAD", cwd=where)
            git("pull", "-q", "--rebase", "origin", "main", cwd=where)
        raise AssertionError(f"could not push {message}")

    def head(self, ref: str = "main") -> str:
        return git("rev-parse", ref, cwd=self.path)

    def show(self, rev: str, rel: str) -> str:
        """The file at ``rev``, byte for byte (``git()`` strips its output)."""
        return subprocess.run(
            ["git", "show", f"{rev}:{rel}"], cwd=self.path, capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip

    def log(self, ref: str = "main") -> list[str]:
        return git("log", "--format=%H %an %s", ref, cwd=self.path).splitlines()

    def changed(self, before: str | None, after: str) -> list[str]:
        if before is None:
            return git("ls-tree", "-r", "--name-only", after, cwd=self.path).splitlines()
        return git("diff", "--name-only", before, after, cwd=self.path).splitlines()

    def interfere(self, times: int) -> None:
        """The next ``times`` pushes find that another push landed just before them."""
        hook = self.path / "hooks" / "pre-receive"
        hook.write_text(HOOK)
        hook.chmod(0o755)
        (self.path / "interfere").write_text(f"{times}\n")

    def pull_request(self, branch: str, number: int = 7) -> str:
        """``refs/pull/N/merge``: the PR branch merged into main, as GitHub prepares it."""
        where = self.clone()
        git("fetch", "-q", "origin", branch, cwd=where)
        git("merge", "-q", "--no-ff", "-m", f"Merge {branch}", "FETCH_HEAD", cwd=where)
        git("push", "-q", "origin", f"HEAD:refs/pull/{number}/merge", cwd=where)
        return git("rev-parse", "HEAD", cwd=where)
