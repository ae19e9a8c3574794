"""Run the action's own "Install regctl" step, as a runner would, into a fresh venv.

``actions/setup-python`` gives the step a ``python`` on ``PATH``; here that is a new venv
(without pip) whose ``.pth`` file points at this test environment's site-packages, so pip,
the build backend and regctl's dependencies come from there and nothing is downloaded
(``PIP_NO_INDEX``, ``PIP_NO_BUILD_ISOLATION``: pip's own settings, as a runner's pip.conf
could hold them). The step's script itself runs unchanged from ``action.yml``, against a
copy of this repository's files (the action's checkout), so what it installs is a real
wheel built from them: package data (schemas, locale catalogs, the init scaffold) that
the wheel would miss shows up as a failure here, not on a user's runner.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import yaml
from tests.conftest import ROOT

ACTION = ROOT / "action.yml"
INSTALL_STEP = "Install regctl"


def action_checkout(dest: Path) -> Path:
    """Copy the repository's files (tracked or new, not ignored) as the action's checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        rel = raw.decode()
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def runner_python(venv: Path) -> Path:
    """A bare venv whose imports fall back to this environment's site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "regctl-test-deps.pth").write_text("\n".join(site_paths()) + "\n")
    return venv / "bin"


def site_paths() -> list[str]:
    """This environment's site folders, where regctl's dependencies and pip live.

    Site folders only: the checkout's ``src/`` (an editable install) must not shadow the
    wheel under test. Added as plain paths, their ``.pth`` files are not run, so an
    editable install's import hook found there stays inactive too.
    """
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    paths = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    return list(dict.fromkeys([*sorted(here), *paths]))


def install_step() -> dict[str, Any]:
    """The "Install regctl" step of action.yml, exactly as shipped."""
    spec = yaml.safe_load(ACTION.read_text())
    steps = [s for s in spec["runs"]["steps"] if s.get("name") == INSTALL_STEP]
    assert len(steps) == 1, f"action.yml has no single {INSTALL_STEP!r} step"
    return steps[0]


def run_install(tmp: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run the install step with the action's default inputs; the venv's bin folder."""
    checkout = action_checkout(tmp / "action")
    bindir = runner_python(tmp / "runner-python")
    step = install_step()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(
        # the step's env block with the defaults: version "" (install from the checkout)
        REGCTL_VERSION="",
        ACTION_PATH=str(checkout),
        PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}",
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    assert set(step["env"]) == {"REGCTL_VERSION", "ACTION_PATH"}, step["env"]
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return bindir, proc
