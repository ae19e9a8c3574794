"""Shell completion through click's protocol (`_REGCTL_COMPLETE`), as a shell calls it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from regctl.authoring.init import init_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    init_project(tmp_path)
    return tmp_path


def complete(cwd: Path, line: str) -> list[str]:
    """What bash would offer for ``line`` (the last word is the one being completed)."""
    words = line.split(" ")
    env = dict(os.environ, _REGCTL_COMPLETE="bash_complete")
    env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    proc = subprocess.run(
        [sys.executable, "-c", "from regctl.cli import main; main(prog_name='regctl')"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return [item.split(",", 1)[1] for item in proc.stdout.splitlines() if item]


def test_provider_ids(project: Path) -> None:
    assert complete(project, "regctl show ") == ["anthropic", "openai", "xai"]
    assert complete(project, "regctl ls models --provider op") == ["openai"]


def test_model_keys_and_ids(project: Path) -> None:
    assert complete(project, "regctl activate openai/gpt-4o") == [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
    ]
    assert complete(project, "regctl activate openai gpt-4o-m") == ["gpt-4o-mini"]
    assert complete(project, "regctl show openai/text") == ["openai/text-embedding-3-small"]


def test_environment_ids(project: Path) -> None:
    assert complete(project, "regctl plan --env ") == ["dev", "prod"]
    assert complete(project, "regctl compile --env p") == ["prod"]


def test_the_registry_named_on_the_line_is_used(project: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / ".git").mkdir()
    line = f"regctl validate --registry {project / 'registry'} --env d"
    assert complete(elsewhere, line) == ["dev"]
    assert complete(elsewhere, "regctl validate --env d") == []  # no registry: nothing


def test_commands_and_options_complete(project: Path) -> None:
    assert "cost-compare" in complete(project, "regctl cost")
    assert "--output-tokens" in complete(project, "regctl cost --out")


def test_completion_command_script_completes_in_a_real_bash(project: Path, tmp_path: Path) -> None:
    """`eval "$(regctl completion bash)"` then TAB, as bash runs it: the function the script
    registers calls the `regctl` found on PATH and fills COMPREPLY."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    src = Path(__import__("regctl").__file__).resolve().parents[1]
    shim = bindir / "regctl"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{src}" exec "{sys.executable}" -m regctl "$@"\n')
    shim.chmod(0o755)
    script = (
        'eval "$(regctl completion bash)"\n'
        "complete -p regctl\n"
        "COMP_WORDS=(regctl plan --env '') COMP_CWORD=3\n"
        "_regctl_completion regctl '' --env\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-c", script],
        cwd=project, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "_regctl_completion" in lines[0] and lines[0].endswith(" regctl")
    assert lines[1:] == ["dev", "prod"]


@pytest.mark.parametrize(("shell", "marker"), [("zsh", "#compdef regctl"), ("fish", "complete")])
def test_completion_command_zsh_and_fish(shell: str, marker: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "regctl", "completion", shell],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0 and marker in proc.stdout, proc.stdout + proc.stderr
    assert f"_REGCTL_COMPLETE={shell}_complete" in proc.stdout.replace('"', "")
