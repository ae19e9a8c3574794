"""Client commands say what they answer from: the lock (and warn when the registry is
newer), or a registry compiled in memory with --registry. Real CLI, real files."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with registry/ and build/prod.lock.json compiled from it (as the README)."""
    shutil.copytree(EXAMPLE, tmp_path / "registry")
    (tmp_path / ".git").mkdir()  # the upward search stops here, as in a checkout
    done = run_cli("compile", "registry", "-o", "build/prod.lock.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def _switch_openai_chat_to_mini(project: Path) -> None:
    done = run_cli("activate", "openai/gpt-4o-mini", "-c", "chat", cwd=project)
    assert done.returncode == 0, done.stderr
    # A later mtime than the lock even on a coarse clock.
    later = time.time() + 5
    os.utime(project / "registry/providers/openai.yaml", (later, later))


def test_the_answer_names_its_manifest(project: Path) -> None:
    done = run_cli("resolve", cwd=project)
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()
    digest = json.loads((project / "build/prod.lock.json").read_text())["digest"]
    assert line == f"answering from build/prod.lock.json, environment base, {digest}"
    assert run_cli("-q", "resolve", cwd=project).stderr == ""


def test_a_registry_newer_than_the_lock_is_said_and_register_answers_fresh(
    project: Path,
) -> None:
    _switch_openai_chat_to_mini(project)
    stale = run_cli("-q", "resolve", cwd=project)  # the warning survives --quiet
    assert json.loads(stale.stdout)["model"] == "openai/gpt-4o"
    assert stale.stderr == (
        "warning: registry/providers/openai.yaml changed after build/prod.lock.json was "
        "written: answers may be stale (run `regctl compile`, or pass --registry registry)\n"
    )
    fresh = run_cli("resolve", "--registry", "registry", cwd=project)
    assert json.loads(fresh.stdout)["model"] == "openai/gpt-4o-mini"
    assert fresh.stderr.startswith("answering from registry (compiled in memory), environment base")
    assert not (project / "manifest.lock.json").exists()  # nothing written
    dev = run_cli("models", "--registry", "registry", "--env", "dev", "--active", "-p", "openai",
                  cwd=project)  # fmt: skip
    assert dev.returncode == 0 and "environment dev" in dev.stderr


def test_errors_stay_one_line_and_bad_combinations_are_usage_errors(project: Path) -> None:
    done = run_cli("resolve", "-p", "ghost", cwd=project)
    assert done.returncode == 3 and done.stderr.count("\n") == 1
    assert json.loads(done.stdout)["error"]["code"] == "unknown_provider"
    done = run_cli("resolve", "--env", "dev", cwd=project)
    assert done.returncode == 2 and "--env needs --registry" in done.stderr
    broken = project / "registry/providers/broken.yaml"
    broken.write_text("apiVersion: regctl/v1\nkind: Provider\nid: [\n", encoding="utf-8")
    done = run_cli("resolve", "--registry", "registry", cwd=project)
    assert done.returncode == 1 and "error(s), the first:" in done.stderr
    assert "Traceback" not in done.stderr


def test_persian_user_gets_the_line_in_persian(project: Path) -> None:
    done = run_cli("resolve", cwd=project, env={"LANG": "fa_IR.UTF-8"})
    assert done.stderr.startswith("پاسخ از build/prod.lock.json، محیط پایه، sha256:")
    assert json.loads(done.stdout)["model"] == "openai/gpt-4o"  # JSON never changes
