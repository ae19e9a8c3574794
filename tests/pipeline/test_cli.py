"""The CLI as a user meets it: exit codes, reporters (golden files), and no tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.conftest import ROOT, assert_cli_error, run_cli

GOLDEN = Path(__file__).parent / "golden"
CASES = ROOT / "tests" / "cases"
MIXED = "tests/pipeline/golden/registry"


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_reporter_golden_output(fmt: str) -> None:
    res = run_cli("validate", MIXED, "--format", fmt, "--as-of", "2026-06-01", cwd=ROOT)
    assert res.returncode == 1
    golden = GOLDEN / f"report.{fmt}"
    if os.environ.get("REGCTL_UPDATE_GOLDEN"):  # regenerate after a deliberate change
        golden.write_text(res.stdout)
    assert res.stdout == golden.read_text()


def test_json_report_names_both_places() -> None:
    res = run_cli("validate", MIXED, "--format", "json", "--as-of", "2026-06-01", cwd=ROOT)
    doc = json.loads(res.stdout)
    assert (doc["errors"], doc["warnings"]) == (3, 1)
    (problem,) = [p for p in doc["problems"] if p["rule"] == "single-active"]
    assert problem["line"] == 15
    assert problem["related"] == [{"file": f"{MIXED}/providers/acme.yaml", "line": 10, "col": 13}]


def test_example_registry_is_clean() -> None:
    res = run_cli("validate", "registry", cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no problems" in res.stdout


def test_warnings_pass_unless_strict() -> None:
    case = "tests/cases/invalid/deprecation-soon"
    assert run_cli("validate", case, "--as-of", "2026-06-01", cwd=ROOT).returncode == 0
    assert run_cli("validate", case, "--as-of", "2026-06-01", "--strict", cwd=ROOT).returncode == 1


def test_as_of_moves_deprecation_rules() -> None:
    case = "tests/cases/invalid/deprecation-soon"
    res = run_cli("validate", case, "--as-of", "2026-07-01", cwd=ROOT)
    assert res.returncode == 1 and "[deprecated-active]" in res.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["validate", "/nonexistent/registry"], 2, "registry '/nonexistent/registry' not found"),
        (["compile", "/nonexistent/registry"], 2, "registry '/nonexistent/registry' not found"),
        (["validate", "registry", "--format", "xml"], 2, "invalid value"),
        (["validate", "registry", "--as-of", "soon"], 2, "not a date"),
        (["validate", "registry", "--env", "qa"], 2, "unknown environment"),
        (["compile", "registry", "--check"], 2, "--check needs"),
        (["nope"], 2, "no such command"),
    ],
)
def test_usage_and_input_errors(args: list[str], code: int, words: str) -> None:
    assert_cli_error(run_cli(*args, cwd=ROOT), code, words)


def test_garbage_registry_never_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(os.urandom(4096))
    (tmp_path / "b.yaml").write_text("- just\n- a list\n")
    (tmp_path / "c.yaml").write_text("apiVersion: regctl/v1\nkind: Provider\nmodels: 7\n")
    (tmp_path / "d.yaml").write_text(
        "apiVersion: regctl/v1\nkind: Environment\nid: x\nproviders: [1]\n"
    )
    for cmd in (["validate"], ["compile"]):
        res = run_cli(*cmd, str(tmp_path))
        assert res.returncode == 1
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr


def test_rules_command_documents_every_rule() -> None:
    out = run_cli("rules").stdout
    for rule in [
        "single-active",
        "plaintext-secret",
        "yaml-alias",
        "unknown-field",
        "deprecation-soon",
    ]:
        assert f"{rule}\n" in out
