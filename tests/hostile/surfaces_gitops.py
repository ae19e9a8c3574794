"""The CI surfaces of the hostile suite: the job summary and commit-back's manifest read.

Registered in :data:`tests.hostile.surfaces.SURFACES` (imported at the end of
``surfaces.py``); the file family puts a FIFO, a ``/dev/zero`` link, a 2 GiB sparse
file, a NUL flood, invalid UTF-8 and a directory where each reads or writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hostile.surfaces import Place, refused, surface

_APPENDS = "a regular file: the summary is appended after what is there"


@surface(
    "cli.summary-file",
    "file",
    "regctl.cli.summary",
    slack=40.0,
    tolerates={"sparse-2gib": _APPENDS, "nul-flood": _APPENDS, "invalid-utf8": _APPENDS},
)
def _summary_file(place: Place, tmp: Path) -> str:
    """``--summary FILE`` ($GITHUB_STEP_SUMMARY): only a regular file is appended to; else
    one warning line, and the command's own outcome is unchanged."""
    from regctl.authoring.init import init_project

    init_project(tmp)
    place(tmp / "summary.md")
    env = {k: v for k, v in os.environ.items() if k != "REGCTL_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "regctl", "validate", "registry", "--summary", "summary.md"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode == 2:  # a directory: --summary names no file (a usage error)
        return done.stderr.splitlines()[0]
    assert done.returncode == 0, done.stderr  # the registry is valid: the summary is aside
    return "\n".join(ln for ln in done.stderr.splitlines() if "summary" in ln)


@surface("deploy.commit-back", "file", "regctl.deploy.commit_back", slack=10.0)
def _commit_back(place: Place, tmp: Path) -> str:
    """The file target's manifest commit-back reads: a bounded read of a regular file, or
    one error naming the file (never the runner's path)."""
    from regctl.deploy.commit_back import CommitBackError, commit_back

    repo = tmp / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)
    path = repo / "prod.lock.json"
    place(path)
    said = refused(
        CommitBackError,
        lambda: commit_back(repo, path, branch="main", message="m", attempts=1, backoff=0),
    )
    assert str(tmp) not in said, said
    return said
