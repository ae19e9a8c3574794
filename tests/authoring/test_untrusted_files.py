"""Editing commands read a registry the way the validator does: only regular files inside it.

A pull request decides what the folder holds; a FIFO named ``x.yaml`` must not hang
``activate`` or ``fmt``, and a symlink leading out of the registry must not be read or
rewritten by them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def with_fifo(project: Path) -> Path:
    os.mkfifo(project / "registry" / "providers" / "pipe.yaml")
    return project


# run_cli (tests/conftest.py) gives every command 120 s: a read blocked on the FIFO fails.
def test_activate_refuses_a_fifo_instead_of_hanging(with_fifo: Path, run_cli: Any) -> None:
    openai = with_fifo / "registry/providers/openai.yaml"
    before = openai.read_bytes()
    r = run_cli("activate", "openai/gpt-4o-mini", cwd=with_fifo)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "pipe.yaml" in r.stderr and "not a regular file" in r.stderr
    assert openai.read_bytes() == before


def test_fmt_check_reports_a_fifo_and_goes_on(with_fifo: Path, run_cli: Any) -> None:
    r = run_cli("fmt", "--check", "registry", cwd=with_fifo)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "pipe.yaml" in r.stderr and "not a regular file" in r.stderr


def test_fmt_leaves_a_file_outside_the_registry_alone(
    project: Path, tmp_path_factory: pytest.TempPathFactory, run_cli: Any
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    outside.write_text("kind:   Provider\napiVersion:    regctl/v1\n")  # not canonical
    (project / "registry" / "providers" / "link.yaml").symlink_to(outside)
    r = run_cli("fmt", "registry", cwd=project)
    assert "link.yaml" not in r.stdout
    assert outside.read_text() == "kind:   Provider\napiVersion:    regctl/v1\n"
    assert (project / "registry" / "providers" / "link.yaml").is_symlink()
