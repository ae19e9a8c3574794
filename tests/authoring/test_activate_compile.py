"""`activate`/`deactivate --compile -o LOCK`: the edit and its committed lock in one step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _check(run_cli: Any, project: Path, lock: Path, *env: str) -> int:
    r = run_cli("compile", "registry", *env, "-o", str(lock), "--check", cwd=project)
    return int(r.returncode)


def _lock(run_cli: Any, project: Path, lock: Path, *env: str) -> None:
    r = run_cli("compile", "registry", *env, "-o", str(lock), cwd=project)
    assert r.returncode == 0, r.stderr


def test_activate_compile_refreshes_the_committed_lock(project: Path, run_cli: Any) -> None:
    lock = project / "locks" / "dev.lock.json"
    lock.parent.mkdir()
    _lock(run_cli, project, lock, "--env", "dev")
    assert _check(run_cli, project, lock, "--env", "dev") == 0
    before = json.loads(lock.read_text())["active"]["openai"]["chat"]
    assert before == "openai/gpt-4o-mini"  # the scaffold's dev choice

    # Without --compile the lock goes stale, which is what CI's compile --check catches.
    r = run_cli("activate", "openai/gpt-4o", "-c", "chat", "--env", "dev", cwd=project)
    assert r.returncode == 0, r.stderr
    assert _check(run_cli, project, lock, "--env", "dev") == 1
    r = run_cli("activate", "openai/gpt-4o-mini", "-c", "chat", "--env", "dev", cwd=project)
    assert r.returncode == 0, r.stderr
    assert _check(run_cli, project, lock, "--env", "dev") == 0

    args = ("activate", "openai/gpt-4o", "-c", "chat", "--env", "dev", "--compile")
    r = run_cli(*args, "-o", "locks/dev.lock.json", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "wrote locks/dev.lock.json (sha256:" in r.stdout
    assert json.loads(lock.read_text())["active"]["openai"]["chat"] == "openai/gpt-4o"
    assert _check(run_cli, project, lock, "--env", "dev") == 0

    # Again: nothing to edit, the lock is current and its bytes are left alone.
    data = lock.read_bytes()
    r = run_cli(*args, "-o", "locks/dev.lock.json", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "locks/dev.lock.json is up to date" in r.stdout
    assert lock.read_bytes() == data


def test_deactivate_compile_dry_run_writes_nothing(project: Path, run_cli: Any) -> None:
    lock = project / "base.lock.json"
    _lock(run_cli, project, lock)
    data = lock.read_bytes()
    yaml_before = {p: p.read_bytes() for p in (project / "registry").rglob("*.yaml")}
    active = json.loads(data)["active"]["openai"]["chat"]
    r = run_cli("deactivate", active, "--compile", "-o", str(lock), "--dry-run", cwd=project)
    assert r.returncode == 0, r.stderr
    assert f"would write {lock} (sha256:" in r.stdout
    assert lock.read_bytes() == data
    assert {p: p.read_bytes() for p in yaml_before} == yaml_before

    announced = r.stdout.split(f"would write {lock} (")[1].split(")")[0]

    r = run_cli("deactivate", active, "--compile", "-o", str(lock), cwd=project)
    assert r.returncode == 0, r.stderr
    assert "chat" not in json.loads(lock.read_text())["active"].get("openai", {})
    # the dry run announced exactly the lock the real run wrote
    assert json.loads(lock.read_text())["digest"] == announced
    assert _check(run_cli, project, lock) == 0


def test_compile_and_output_come_together(project: Path, run_cli: Any) -> None:
    r = run_cli("activate", "openai/gpt-4o-mini", "--compile", cwd=project)
    assert r.returncode == 2 and "--compile needs the lock file: -o FILE" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("activate", "openai/gpt-4o-mini", "-o", "x.json", cwd=project)
    assert r.returncode == 2 and "add --compile" in r.stderr
    assert not (project / "x.json").exists()
