"""CLI behaviour CI relies on: Terraform exit codes, annotations anchored at the repo root,
``--format github`` for every check, init's .gitignore lines and the file-target path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, run_cli

from regctl.authoring.init import GITIGNORE_LINES


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "registry")
    (root / "docs").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "registry", "--env", "prod", "--detailed-exitcode", "--no-such-flag"],
        ["plan", "registry", "--env", "nope", "--detailed-exitcode"],
        ["plan", "registry", "--env", "prod", "--format", "yaml", "--detailed-exitcode"],
        ["--bogus", "plan", "--detailed-exitcode"],
        ["plan", "no-such-registry", "--detailed-exitcode"],
    ],
)
def test_detailed_exitcode_every_error_is_1(repo: Path, args: list[str]) -> None:
    done = run_cli(*args, cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip()


def test_detailed_exitcode_0_and_2_and_usage_errors_stay_2_without_it(repo: Path) -> None:
    changes = run_cli("plan", "registry", "--env", "prod", "--detailed-exitcode", cwd=repo)
    assert changes.returncode == 2, changes.stderr
    assert run_cli("apply", "registry", "--env", "prod", "--auto-approve", cwd=repo).returncode == 0
    same = run_cli("plan", "registry", "--env", "prod", "--detailed-exitcode", cwd=repo)
    assert same.returncode == 0 and "No changes" in same.stdout, same.stderr
    assert run_cli("plan", "registry", "--no-such-flag", cwd=repo).returncode == 2


def _break(repo: Path) -> None:
    path = repo / "registry" / "environments" / "dev.yaml"
    path.write_text(path.read_text().replace("active: [chat]", "active: [chatt]", 1))


def test_annotations_are_anchored_at_the_repo_root_from_any_folder(repo: Path) -> None:
    _break(repo)
    for cwd, reg in ((repo, "registry"), (repo / "docs", "../registry"),
                     (repo / "registry" / "providers", "..")):  # fmt: skip
        done = run_cli("validate", reg, "--format", "github", cwd=cwd)
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("::")]
        assert done.returncode == 1 and lines, done.stdout + done.stderr
        assert all(ln.split(" ", 1)[1].startswith("file=registry/") for ln in lines), lines
        assert any("file=registry/environments/dev.yaml,line=13," in ln for ln in lines), lines


def test_annotations_outside_git_anchor_at_the_registry_parent(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    shutil.copytree(EXAMPLE, root / "registry")
    _break(root)
    (root / "sub").mkdir()
    done = run_cli("validate", "../registry", "--format", "github", cwd=root / "sub")
    assert "::error file=registry/environments/dev.yaml,line=13," in done.stdout, done.stdout


def test_compile_check_fmt_check_and_templates_test_speak_github(repo: Path) -> None:
    lock = repo / "build" / "prod.lock.json"
    assert (
        run_cli("compile", "registry", "--env", "prod", "-o", str(lock), cwd=repo).returncode == 0
    )
    prov = repo / "registry" / "providers" / "openai.yaml"
    text = prov.read_text()
    assert "display_name: GPT-4o\n" in text and "tpm: " in text
    # a content change (stale lock) and a layout change (fmt --check)
    prov.write_text(text.replace("display_name: GPT-4o\n", "display_name: GPT-4o (2024)\n", 1)
                    .replace("tpm: ", "tpm:  ", 1))  # fmt: skip
    stale = run_cli(
        "compile", "registry", "--env", "prod", "-o", "build/prod.lock.json", "--check",
        "--format", "github", cwd=repo,
    )  # fmt: skip
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert stale.stdout.startswith(
        "::error file=build/prod.lock.json,line=1,col=1,title=stale-lock::"
    )

    fmt = run_cli("fmt", "--check", "--format", "github", "registry", cwd=repo)
    assert fmt.returncode == 1, fmt.stdout + fmt.stderr
    assert "::error file=registry/providers/openai.yaml,line=1,col=1,title=fmt::" in fmt.stdout

    tmpl = repo / "registry" / "prompts" / "summarize.yaml"
    tmpl.write_text(
        tmpl.read_text().replace("{{", "{{ no_such_filter(", 1).replace("}}", ") }}", 1)
    )
    tt = run_cli("templates", "test", "registry", "--env", "prod", "--format", "github", cwd=repo)
    assert tt.returncode == 1, tt.stdout + tt.stderr
    assert "::error file=registry/prompts/summarize.yaml,line=" in tt.stdout, tt.stdout


def test_init_appends_gitignore_lines_once_and_suggests_a_lock_file(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n/build/\n")
    done = run_cli("init", str(tmp_path))
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[0] == "node_modules/" and lines.count("/build/") == 1
    assert all(line in lines for line in GITIGNORE_LINES)
    assert " -o " in done.stdout.splitlines()[-1]


def test_target_path_names_the_file_target_only(repo: Path) -> None:
    dev = run_cli("target-path", "registry", "--env", "dev", cwd=repo)
    assert dev.returncode == 0 and dev.stdout.strip() == str(
        (repo / "deploy" / "dev" / "manifest.lock.json").resolve()
    )
    reg = repo / "registry" / "registry.yaml"
    url = "https://config.example.com/prod.json"
    reg.write_text(reg.read_text().replace("file:deploy/prod/manifest.lock.json", url))
    prod = run_cli("target-path", "registry", "--env", "prod", cwd=repo)
    assert prod.returncode == 0 and prod.stdout == ""


def test_places_named_in_a_message_are_repository_relative_too(repo: Path) -> None:
    """`conflicts with X:12:13` inside an annotation is anchored like its `file=`."""
    prov = repo / "registry" / "providers" / "openai.yaml"
    mini = "  - id: gpt-4o-mini\n    display_name: GPT-4o mini\n    capabilities: [chat, vision]\n"
    prov.write_text(prov.read_text().replace(mini, mini + "    active: [chat]\n", 1))
    for cwd, reg in ((repo, "registry"), (repo / "registry" / "providers", "..")):
        done = run_cli("validate", reg, "--format", "github", cwd=cwd)
        line = next(ln for ln in done.stdout.splitlines() if "[single-active]" in ln)
        assert "file=registry/providers/openai.yaml," in line, line
        assert "gpt-4o (registry/providers/openai.yaml:34:13)" in line, line
        assert "gpt-4o-mini (registry/providers/openai.yaml:50:13)" in line, line
        table = run_cli("validate", reg, "--format", "markdown", cwd=cwd).stdout
        assert "registry/providers/openai.yaml:34:13" in table, table
