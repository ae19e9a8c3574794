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
