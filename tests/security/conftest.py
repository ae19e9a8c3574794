"""Fixtures for the security tests: a copy of the minimal valid registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BASE = Path(__file__).parent.parent / "cases" / "valid" / "minimal"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A fresh copy of the minimal valid registry (tmp/reg)."""
    root = tmp_path / "reg"
    shutil.copytree(BASE, root)
    return root
