"""What the environment changes: --lang/$REGCTL_LANG without messages warn, NO_COLOR as
no-color.org defines it (set and not empty), rules as plain text."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import run_cli

from regctl.authoring.init import init_project


@pytest.mark.parametrize(
    ("args", "env", "warns"),
    [
        (["--lang", "de", "rules"], {}, True),
        (["--lang=de", "rules"], {}, True),
        (["rules"], {"REGCTL_LANG": "de"}, True),
        (["rules"], {"REGCTL_LANG": "", "LANG": "de_DE.UTF-8"}, False),  # the system's choice
        (["--lang", "fa", "rules"], {"LANG": "C.UTF-8"}, False),
        (["--lang", "en", "rules"], {}, False),
    ],
)
def test_an_unknown_language_warns_once(args: list[str], env: dict[str, str], warns: bool) -> None:
    done = run_cli(*args, env={"REGCTL_LANG": "", **env})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    if warns:
        assert lines == [
            "warning: no messages in language 'de' (available: en, fa); using English"
        ], done.stderr
    else:
        assert lines == [], done.stderr


def test_rules_are_plain_text() -> None:
    done = run_cli("rules")
    assert done.returncode == 0 and "``" not in done.stdout and "schema\n" in done.stdout
    assert all(line == line.rstrip() for line in done.stdout.splitlines())
    assert "``" not in run_cli("rules", "--format", "json").stdout


def _plan_on_a_terminal(project: Path, no_color: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "regctl", "-q", "plan", "--env", "prod"],
        cwd=project, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_no_color_set_and_not_empty_turns_colour_off(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    init_project(tmp_path)
    assert "\x1b[" in _plan_on_a_terminal(tmp_path, None)
    assert "\x1b[" in _plan_on_a_terminal(tmp_path, "")  # empty: as if unset (no-color.org)
    assert "\x1b[" not in _plan_on_a_terminal(tmp_path, "1")
