"""Fixtures for the GitOps tests: the deploy tests' loopback HTTP target."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))

from deploy_fixtures import TargetServer


@pytest.fixture
def http_target() -> Iterator[TargetServer]:
    server = TargetServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture(scope="session")
def action_install(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The action's "Install regctl" step, run once: its venv's bin folder and its output."""
    from tests.gitops.action_install import run_install

    bindir, proc = run_install(tmp_path_factory.mktemp("action-install"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return bindir, proc.stdout + proc.stderr
