"""activate, deactivate and fmt keep a UTF-8 byte-order mark where the file had one.

Editors on Windows write one; a tool that drops it makes every edit show a changed
first line in review and may break whatever else reads the file expecting it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import run_cli

from regctl.authoring.init import init_project

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two identical projects, one whose files start with a BOM."""
    plain = tmp_path / "plain"
    init_project(plain)
    marked = tmp_path / "marked"
    shutil.copytree(plain, marked)
    for f in (marked / "registry").rglob("*.yaml"):
        f.write_bytes(BOM + f.read_bytes())
    return plain, marked


def _same_but_bom(plain: Path, marked: Path) -> None:
    for f in sorted((plain / "registry").rglob("*.yaml")):
        twin = marked / f.relative_to(plain)
        assert twin.read_bytes() == BOM + f.read_bytes(), twin


@pytest.mark.parametrize(
    "args",
    [
        ("activate", "openai/gpt-4o-mini"),
        ("activate", "openai/gpt-4o-mini", "-c", "chat", "--env", "prod"),
        ("deactivate", "anthropic/claude-3-5-sonnet-20241022"),
    ],
)
def test_edit_commands_keep_the_bom(pair: tuple[Path, Path], args: tuple[str, ...]) -> None:
    plain, marked = pair
    for project in pair:
        done = run_cli(*args, cwd=project)
        assert done.returncode == 0, done.stderr
        assert "wrote" in done.stdout + done.stderr
    _same_but_bom(plain, marked)


def test_fmt_keeps_the_bom_and_ignores_it_in_check(pair: tuple[Path, Path]) -> None:
    plain, marked = pair
    messy = "kind: Provider\napiVersion: regctl/v1\nid: acme\ndisplay_name: Acme\n"
    for project in pair:
        path = project / "registry" / "providers" / "acme.yaml"
        path.write_bytes((BOM if project == marked else b"") + messy.encode())
        assert run_cli("fmt", "--check", cwd=project).returncode == 1
        done = run_cli("fmt", cwd=project)
        assert done.returncode == 0, done.stderr
        assert run_cli("fmt", "--check", cwd=project).returncode == 0
    _same_but_bom(plain, marked)
    assert (marked / "registry/providers/acme.yaml").read_bytes().startswith(BOM + b"apiVersion")
