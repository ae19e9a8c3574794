"""CLI errors and status lines in Persian: same exit codes, every line translated."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.conftest import run_cli

from regctl.authoring.init import init_project

PERSIAN = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    init_project(tmp_path)
    return tmp_path


def _both(
    project: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    en = run_cli(*args, cwd=project, env={"LANG": "C.UTF-8", "REGCTL_LANG": ""})
    fa = run_cli(*args, cwd=project, env={"LANG": "fa_IR.UTF-8", "REGCTL_LANG": ""})
    return en, fa


@pytest.mark.parametrize(
    ("args", "code", "english"),
    [
        (("plan", "--env", "nope"), 2, "unknown environment 'nope'"),
        (("validate", "--bogus"), 2, "no such option"),
        (("bogus",), 2, "no such command"),
        (("validate", "--format", "xml"), 2, "invalid value for '--format'"),
        (("show", "openai/nope"), 1, "no model 'openai/nope' in the registry"),
        (("activate", "nope/x"), 1, "unknown provider 'nope'"),
        (("compile", "--check"), 2, "--check needs the lock file"),
        (("activate", "openai/gpt-4o", "-o", "x.json"), 2, "add --compile"),
        (("apply", "missing-plan.json"), 2, "registry folder not found"),
    ],
)
def test_errors_are_persian_with_the_same_exit_code(
    project: Path, args: tuple[str, ...], code: int, english: str
) -> None:
    en, fa = _both(project, *args)
    assert en.returncode == fa.returncode == code, (en.stderr, fa.stderr)
    assert english in en.stderr, en.stderr
    lines = [ln for ln in fa.stderr.splitlines() if ln.strip()]
    assert lines and all(PERSIAN.search(ln) for ln in lines), fa.stderr
    assert "Traceback" not in fa.stderr


def test_status_lines_of_edit_compile_and_fmt_are_persian(project: Path) -> None:
    en, fa = _both(project, "activate", "openai/gpt-4o", "--env", "dev", "--dry-run")
    assert en.returncode == fa.returncode == 0
    assert "activated openai/gpt-4o for chat in environment 'dev'" in en.stdout
    out = [ln for ln in fa.stdout.splitlines() if ln]
    assert len(out) == len(en.stdout.splitlines()) and all(PERSIAN.search(ln) for ln in out)
    assert "openai/gpt-4o" in out[0] and "«dev»" in out[0]

    for args in (
        ("compile", "--env", "dev", "-o", "dev.json"),
        ("compile", "--env", "dev", "-o", "dev.json", "--check"),
    ):
        done = run_cli(*args, cwd=project, env={"LANG": "fa_IR.UTF-8"})
        assert done.returncode == 0 and PERSIAN.search(done.stderr), done.stderr
        assert "sha256:" in done.stderr  # the digest itself is never translated

    path = project / "registry" / "providers" / "xai.yaml"
    path.write_text(path.read_text().replace("apiVersion: regctl/v1", "apiVersion:   regctl/v1"))
    en, fa = _both(project, "fmt", "--check")
    assert en.returncode == fa.returncode == 1
    assert "would reformat registry/providers/xai.yaml" in en.stdout
    assert PERSIAN.search(fa.stdout) and "registry/providers/xai.yaml" in fa.stdout
    # machine output stays English in every language
    en, fa = _both(project, "fmt", "--check", "--format", "github")
    assert en.stdout == fa.stdout and "::error" in en.stdout


def test_plan_text_is_persian_and_its_json_is_not(project: Path) -> None:
    en, fa = _both(project, "plan", "--env", "dev")
    assert en.returncode == fa.returncode == 0
    assert "Plan: " in en.stdout and " to add, " in en.stdout
    assert "Plan: " not in fa.stdout and PERSIAN.search(fa.stdout.splitlines()[-1])
    assert "openai chat: gpt-4o-mini" in fa.stdout  # ids and values stay as they are
    en, fa = _both(project, "plan", "--env", "dev", "--format", "json")
    assert en.stdout == fa.stdout
