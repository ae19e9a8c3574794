"""Shared fixtures: a scaffolded registry in a temp folder and a CLI runner in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import regctl
from regctl.authoring.init import init_project

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding a fresh ``regctl init`` scaffold."""
    init_project(tmp_path)
    return tmp_path


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``python -m regctl ARGS`` in ``cwd`` with this interpreter and environment."""

    # The code under test is the regctl that this test process imported: make the child
    # import the same one even though it runs in another folder.
    src = str(Path(regctl.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "regctl", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run
