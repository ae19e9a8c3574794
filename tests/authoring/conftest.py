"""Shared fixtures: a scaffolded registry in a temp folder and the CLI runner of tests/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regctl.authoring.init import init_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding a fresh ``regctl init`` scaffold."""
    init_project(tmp_path)
    return tmp_path


@pytest.fixture
def run_cli(cli: Any) -> Any:
    """``regctl`` in a subprocess (``cli`` of tests/conftest.py) under the name used here."""
    return cli
