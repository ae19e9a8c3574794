"""Fixtures for the security tests: a copy of the minimal valid registry."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

# The client tests' manifest builders (client_fixtures) are shared with these tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "client"))

BASE = Path(__file__).parent.parent / "cases" / "valid" / "minimal"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A fresh copy of the minimal valid registry (tmp/reg)."""
    root = tmp_path / "reg"
    shutil.copytree(BASE, root)
    return root
