"""The shipped pre-commit hooks, run by the real pre-commit in a temp git repository.

pre-commit would pip-install this repository for ``language: python`` (a build needs
the index); the test keeps every field of ``.pre-commit-hooks.yaml`` but runs the hooks
as ``language: system`` from a ``repo: local`` config, with this checkout's regctl on PATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    src = Path(__import__("regctl").__file__).resolve().parents[1]
    exe = bindir / "regctl"
    exe.write_text(f'#!/bin/sh\nPYTHONPATH="{src}" exec "{sys.executable}" -m regctl "$@"\n')
    exe.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", NO_COLOR="1")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    root = tmp_path / "repo"
    root.mkdir()
    _git("init", "-q", cwd=root)
    subprocess.run(["regctl", "init", "."], cwd=root, env=env, check=True, capture_output=True)
    hooks = [dict(h, language="system") for h in HOOKS]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git("add", ".", cwd=root)
    return root, env


def _run(root: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--files", *files],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_hook_ids_and_entries() -> None:
    assert {h["id"] for h in HOOKS} == {"regctl-validate", "regctl-fmt"}
    assert all(h["language"] == "python" and h["files"] == r"\.ya?ml$" for h in HOOKS)


def test_clean_registry_passes_and_workflow_yaml_is_left_alone(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    workflow = root / ".github" / "workflows" / "registry.yml"
    before = workflow.read_text()
    done = _run(root, env, "registry/providers/openai.yaml", str(workflow.relative_to(root)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "regctl validate" in done.stdout and "Passed" in done.stdout
    assert workflow.read_text() == before


def test_a_file_breaks_the_whole_registry_and_fmt_fixes_layout(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    # Disabling every provider breaks the defaults elsewhere: the whole registry is checked.
    prov = root / "registry" / "providers" / "xai.yaml"
    prov.write_text(prov.read_text().replace("id: xai", "id: xai-renamed", 1))
    done = _run(root, env, "registry/providers/xai.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "registry/" in done.stdout and "error [" in done.stdout, done.stdout
    _git("checkout", "--", "registry/providers/xai.yaml", cwd=root)

    # A layout change: the fmt hook rewrites the file and fails once, then passes.
    prov.write_text(
        prov.read_text().replace("apiVersion: regctl/v1\n", "apiVersion:   regctl/v1\n")
    )
    first = _run(root, env, "registry/providers/xai.yaml")
    assert first.returncode == 1 and "formatted" in first.stdout, first.stdout
    _git("add", ".", cwd=root)
    again = _run(root, env, "registry/providers/xai.yaml")
    assert again.returncode == 0, again.stdout + again.stderr
