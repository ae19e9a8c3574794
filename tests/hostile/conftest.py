"""Fixtures of the hostile-peer suite: the peer servers, credentials in the environment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite's own modules (peers, files, surfaces, invariants) import each other by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.hostile.invariants import SECRETS


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Credentials a surface could leak, in the environment; nothing else from the host."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "ETCDCTL_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("REGCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    return SECRETS


@pytest.fixture
def hostile_peer(request: pytest.FixtureRequest) -> Iterator[object]:
    """A :class:`peers.HostilePeer` with the behaviour named by the test's parameter."""
    from tests.hostile.peers import HostilePeer

    peer = HostilePeer(request.param)
    yield peer
    peer.close()
