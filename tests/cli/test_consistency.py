"""One rule per concept across commands, as a user meets it (real CLI in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT, assert_cli_error, run_cli, write_tree

from regctl.authoring.init import init_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the registry search stops here, like git's
    init_project(tmp_path)
    return tmp_path


def _one_line(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert_cli_error(proc, code, *needles)


def test_registry_is_found_upward_and_named_one_way(project: Path) -> None:
    sub = project / "registry" / "providers"
    assert run_cli("validate", cwd=sub).returncode == 0
    assert run_cli("validate", "--registry", "registry", cwd=project).returncode == 0
    assert run_cli("validate", "registry", cwd=project).returncode == 0
    shown = run_cli("show", "openai", "--registry", str(project / "registry"), cwd=sub.parent)
    assert shown.returncode == 0 and "provider openai" in shown.stdout


def test_no_registry_suggests_init_and_the_option(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for args in (["validate"], ["ls", "models"], ["show", "openai"], ["plan"], ["fmt"]):
        _one_line(run_cli(*args, cwd=tmp_path), 2, "regctl init", "--registry")


def test_validate_env_lists_the_known_environments(project: Path) -> None:
    _one_line(run_cli("validate", "--env", "prdo", cwd=project), 2, "known: dev, prod")


@pytest.mark.parametrize("form", [["openai/gpt-4o-mini"], ["openai", "gpt-4o-mini"]])
def test_activate_takes_provider_slash_model_or_two_words(project: Path, form: list[str]) -> None:
    proc = run_cli("activate", *form, "--dry-run", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "openai/gpt-4o-mini" in proc.stdout


def test_show_did_you_mean_never_suggests_the_typo(project: Path) -> None:
    _one_line(run_cli("show", "opnai", cwd=project), 1, "did you mean 'openai'?")
    proc = run_cli("show", "openai/gpt-4o-mni", cwd=project)
    _one_line(proc, 1, "did you mean 'openai/gpt-4o-mini'?")
    assert "did you mean 'openai/gpt-4o-mni'" not in proc.stderr


def test_format_json_on_every_data_command(project: Path) -> None:
    for args in (
        ["ls", "providers"],
        ["ls", "models"],
        ["show", "openai"],
        ["show", "openai/gpt-4o"],
        ["cost-compare", "-I", "1000", "-O", "100"],
        ["rules"],
    ):
        proc = run_cli(*args, "--format", "json", cwd=project)
        assert proc.returncode == 0, (args, proc.stderr)
        json.loads(proc.stdout)


def test_plan_output_file_and_the_deprecated_out(project: Path) -> None:
    proc = run_cli("plan", "--env", "prod", "-o", "plan.json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((project / "plan.json").read_text())["environment"] == "prod"
    proc = run_cli("plan", "--env", "prod", "--out", "old.json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "--out is deprecated; use -o/--output" in proc.stderr
    assert (project / "old.json").read_bytes() == (project / "plan.json").read_bytes()


def test_runtime_commands_find_the_quick_start_lock(project: Path) -> None:
    (project / "build").mkdir()
    assert (
        run_cli("compile", "--env", "prod", "-o", "build/prod.lock.json", cwd=project).returncode
        == 0
    )
    proc = run_cli("resolve", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["provider"] == "openai"
    empty = project / "empty"
    empty.mkdir()
    _one_line(run_cli("models", cwd=empty), 2, "--manifest", "$REGCTL_MANIFEST")
    env = {"REGCTL_MANIFEST": str(project / "build" / "prod.lock.json")}
    assert run_cli("models", cwd=empty, env=env).returncode == 0


def test_a_bad_value_hides_no_other_and_causes_no_follow_on(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "registry/providers/acme.yaml": (
                "apiVersion: regctl/v1\nkind: Provider\nid: acme\ndisplay_name: Acme\n"
                "api: opanai\nenabled: 'yes'\ncredentials: [env:ACME_KEY]\nmodels:\n"
                "  - {id: m1, display_name: M1, capabilities: [chat], active: true}\n"
                "  - {id: m2, display_name: M2, capabilities: [chat], active: true}\n"
            ),
            "registry/environments/prod.yaml": (
                "apiVersion: regctl/v1\nkind: Environment\nid: prod\n"
                "providers:\n  acme:\n    enabled: true\n"
            ),
        },
    )
    (tmp_path / ".git").mkdir()
    proc = run_cli("validate", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["problems"]
    rules = sorted((p["rule"], p["line"]) for p in problems)
    # the enum typo (with a hint), the quoted bool, and the two active models: all at once
    assert rules == [("schema", 5), ("schema", 6), ("single-active", 10)], problems
    api = next(p for p in problems if p["line"] == 5)
    assert "did you mean 'openai'?" in api["message"]
    assert not any(p["rule"] == "unknown-reference" for p in problems)


def test_broken_pipe_exits_quietly(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_registry import generate

    generate(tmp_path / "registry", providers=4, models=1500, seed=3, envs=1)
    for args in (["ls", "models"], ["rules"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "regctl", *args, "--registry", str(tmp_path / "registry")]
            if args[0] == "ls"
            else [sys.executable, "-m", "regctl", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        err = proc.stderr.read()
        proc.wait(timeout=120)
        assert "Error" not in err and "Traceback" not in err and "internal error" not in err, err
