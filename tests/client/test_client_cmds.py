"""`regctl resolve|models|cost|doctor` as a user runs them (subprocess, real CLI)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, manifest_text, write_manifest
from tests.conftest import assert_cli_error, run_cli

SECRET = "sk-live-CLI-SECRET-987654321"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No manifest path or test key leaks in from the caller's environment."""
    for name in list(os.environ):
        if name.startswith(("RC_TEST_", "REGCTL_")):
            monkeypatch.delenv(name)


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, **kwargs)


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "manifest.lock.json")


def _one_line_error(proc: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert_cli_error(proc, code, text)


def test_resolve_prints_json(manifest: Path) -> None:
    proc = run(
        "resolve", "--provider", "openai", "--capability", "chat", "--manifest", str(manifest)
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["model"] == "openai/gpt-4o" and out["upstream_id"] == "gpt-4o-2024-08-06"
    assert out["base_url"] == "https://api.openai.com/v1" and out["params"]["temperature"] == 0.3


def test_resolve_default_manifest_locations(manifest: Path, tmp_path: Path) -> None:
    assert run("resolve", cwd=tmp_path).returncode == 0  # ./manifest.lock.json
    other = write_manifest(tmp_path / "other.json")
    proc = run("resolve", "-c", "embedding", cwd=Path("/"), env={"REGCTL_MANIFEST": str(other)})
    assert json.loads(proc.stdout)["model"] == "openai/text-embedding-3-small"


def test_resolve_none_exits_3(manifest: Path) -> None:
    proc = run("resolve", "-p", "openai", "-c", "image", "--manifest", str(manifest))
    _one_line_error(proc, 3, "no active model for capability 'image'")
    proc = run("resolve", "-p", "bedrock", "-c", "chat", "--manifest", str(manifest))
    _one_line_error(proc, 3, "tried: bedrock")
    proc = run("resolve", "-p", "bedrock", "--fallback", "--manifest", str(manifest))
    assert json.loads(proc.stdout)["via"] == "default"
    _one_line_error(
        run("resolve", "-p", "ghost", "--manifest", str(manifest)), 3, "unknown provider 'ghost'"
    )
    _one_line_error(
        run("resolve", "-c", "telepathy", "--manifest", str(manifest)), 3, "unknown capability"
    )


def test_bad_manifests_exit_4(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    # no manifest to work on is a usage error (docs/exit-codes.md); an untrusted one is 4
    _one_line_error(run("resolve", "--manifest", str(path)), 2, "not found")
    text = manifest_text(base_doc())
    path.write_text(text.replace("gpt-4o-2024-08-06", "evil"))
    _one_line_error(run("models", "--manifest", str(path)), 4, "does not match its digest")
    path.write_text(text[:500])
    _one_line_error(
        run("cost", "openai/gpt-4o", "-I", "1", "-O", "1", "--manifest", str(path)),
        4,
        "not valid JSON",
    )
    write_manifest(path, {**base_doc(), "apiVersion": "regctl/v9"})
    _one_line_error(run("doctor", "--manifest", str(path)), 4, "regctl/v9")


def test_models(manifest: Path) -> None:
    proc = run("models", "--provider", "openai", "--manifest", str(manifest))
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    # The `regctl ls models` table: MODEL, ACTIVE, CAPABILITIES, ..., NAME last.
    assert lines[0].split()[:3] == ["MODEL", "ACTIVE", "CAPABILITIES"]
    assert lines[1].split()[:3] == ["openai/gpt-4o", "chat,vision", "chat,vision,tools"]
    assert len(lines) == 5
    proc = run(
        "models",
        "--capability",
        "chat",
        "--active",
        "--format",
        "json",
        "--manifest",
        str(manifest),
    )
    assert [m["key"] for m in json.loads(proc.stdout)] == [
        "anthropic/claude-3-5-sonnet",
        "backup/meta/llama-3",
        "off/x1",
        "openai/gpt-4o",
    ]
    _one_line_error(run("models", "-p", "ghost", "--manifest", str(manifest)), 3, "ghost")


def test_cost(manifest: Path) -> None:
    m = ["--manifest", str(manifest)]
    proc = run("cost", "openai/gpt-4o", "--input-tokens", "1000000", "--output-tokens", "1000", *m)
    assert proc.returncode == 0 and proc.stdout == "2.51 USD\n"
    # provider and model as two words, the short flags, and the JSON form
    proc = run("cost", "openai", "gpt-4o", "-I", "10", "-O", "0", "--format", "json", *m)
    assert json.loads(proc.stdout)["usd"] == "0.000025"
    assert json.loads(proc.stdout)["model"] == "openai/gpt-4o"
    _one_line_error(run("cost", "openai/gpt-4o", "-I", "x", "-O", "1", *m), 2, "--input-tokens")
    _one_line_error(run("cost", "openai/gpt-4o", "-I", "1", "-O", "-5", *m), 2, ">= 0")
    # a missing output count is an error, not a silent 0
    _one_line_error(run("cost", "openai/gpt-4o", "-I", "5", *m), 2, "--output-tokens")
    _one_line_error(run("cost", "openai/o1", "-I", "5", "-O", "0", *m), 6, "no pricing")
    _one_line_error(run("cost", "openai/ghost", "-I", "1", "-O", "1", *m), 3, "unknown model")


def test_cost_did_you_mean_never_repeats_the_typo(manifest: Path) -> None:
    m = ["--manifest", str(manifest)]
    proc = run("cost", "openai/gpt-4", "-I", "1", "-O", "1", *m)
    _one_line_error(proc, 3, "did you mean 'openai/gpt-4o'?")
    proc = run("resolve", "-p", "opnai", *m)
    _one_line_error(proc, 3, "did you mean 'openai'?")
    proc = run("resolve", "-m", "openai/gpt-4", *m)
    _one_line_error(proc, 3, "did you mean 'openai/gpt-4o'?")
    assert "did you mean 'openai/gpt-4'?" not in proc.stderr


def test_old_spellings_still_work_and_say_what_replaces_them(manifest: Path) -> None:
    m = ["--manifest", str(manifest)]
    proc = run("cost", "openai/gpt-4o", "--input", "10", "--output", "0", "--json", *m)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["usd"] == "0.000025"
    for old, new in (("--input", "--input-tokens"), ("--output", "--output-tokens")):
        assert f"{old} is deprecated; use {new}" in proc.stderr
    assert "--json is deprecated; use --format json" in proc.stderr
    proc = run("models", "--json", *m)
    assert proc.returncode == 0 and isinstance(json.loads(proc.stdout), list)


def test_doctor_reports_without_values(manifest: Path, tmp_path: Path) -> None:
    proc = run("doctor", "--manifest", str(manifest), env={"RC_TEST_OPENAI_KEY": SECRET})
    assert proc.returncode == 1  # backup's plugin is not installed here
    out = proc.stdout
    assert SECRET not in out + proc.stderr
    assert "✓  openai: env:RC_TEST_OPENAI_KEY" in out
    assert "✗  backup: " in out and "testvault" in out
    assert "2 references: 1 resolve, 1 do not" in out
    assert "-  bedrock: no credentials listed" in out
    assert "-  off: disabled" in out and "-  anthropic: personal key required" in out
    body = base_doc()
    del body["providers"]["backup"]
    del body["active"]["backup"]
    body["fallbacks"]["chat"] = ["anthropic"]
    del body["models"]["backup/meta/llama-3"]
    ok = write_manifest(tmp_path / "ok.json", body)
    proc = run("doctor", "--manifest", str(ok), env={"RC_TEST_OPENAI_KEY": SECRET})
    assert proc.returncode == 0, proc.stdout
    assert SECRET not in proc.stdout
