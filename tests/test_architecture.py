"""The architecture's picture holds: import-linter's contracts (pyproject.toml), a small
package root, and every package saying what it owns and what it may import."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import regctl

ROOT = Path(__file__).resolve().parent.parent
PKG = Path(regctl.__file__).resolve().parent


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports")
    if exe is None:  # the test extra installs import-linter; a fresh machine has it
        pytest.fail("lint-imports not found: install the test extra (scripts/install-test-deps.sh)")
    env = dict(os.environ)
    # the package as this checkout has it (a worktree or a fresh clone), not another install
    env["PYTHONPATH"] = os.pathsep.join([str(PKG.parent), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ", 0 broken." in proc.stdout


def test_package_root_holds_at_most_ten_modules() -> None:
    modules = [p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(modules) <= 10, modules


def test_every_package_says_what_it_owns_and_may_import() -> None:
    for init in sorted(PKG.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        rel = init.parent.relative_to(PKG.parent)
        assert doc, f"{rel} has no docstring"
    for init in sorted(PKG.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if init.parent.name == "cli":  # the top layer: it may import everything
            continue
        assert "May import" in doc, f"{init.parent.name}: say what it may import"


def test_every_python_folder_is_a_package() -> None:
    # A folder without __init__.py is a namespace package: import-linter cannot see it.
    for folder in sorted(PKG.rglob("*")):
        if folder.is_dir() and any(folder.glob("*.py")):
            assert (folder / "__init__.py").exists(), folder.relative_to(PKG.parent)


def test_architecture_md_names_every_package() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for init in sorted(PKG.glob("*/__init__.py")):
        assert f"regctl/{init.parent.name}/" in text or f"`{init.parent.name}/`" in text, (
            init.parent.name
        )
