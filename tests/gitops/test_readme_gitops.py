"""README's GitOps tutorial, run as written: every command of its first bash block, in order.

The block goes from ``regctl init`` to an app reading the deployed manifest; it runs
with ``bash -e`` in a temp folder, with this checkout's ``regctl`` and ``python`` first
on PATH, so a command that fails (or a README edit that breaks one) fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SECTION = "## Plan and apply (GitOps)"


def tutorial() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match is not None, "the GitOps section has no bash block"
    return match.group(1)


def test_tutorial_starts_at_init_and_ends_in_an_app() -> None:
    script = tutorial()
    first = script.splitlines()[0]
    assert first.startswith("regctl init ")
    assert "Registry.load(" in script and "regctl apply" in script


def test_every_command_of_the_tutorial_runs(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    src = Path(__import__("regctl").__file__).resolve().parents[1]
    for name, cmd in (
        ("regctl", f'"{sys.executable}" -m regctl'),
        ("python", f'"{sys.executable}"'),
    ):
        exe = bindir / name
        exe.write_text(f'#!/bin/sh\nPYTHONPATH="{src}" exec {cmd} "$@"\n')
        exe.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", NO_COLOR="1")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")  # fmt: skip
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", tutorial()],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    project = tmp_path / "my-models"
    # The app printed the model the change activated, before the rollback restored the old one.
    assert "Model('openai/gpt-4o'" in done.stdout
    deployed = json.loads((project / "deploy" / "dev" / "manifest.lock.json").read_text())
    assert deployed["active"]["openai"]["chat"] == "openai/gpt-4o-mini"
    assert "| ~ | `openai chat` | `gpt-4o-mini` | `gpt-4o` |" in (project / "plan.md").read_text()
    ignored = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=project,
                             capture_output=True, text=True).stdout  # fmt: skip
    assert "!! build/" in ignored and ".history/" in ignored
