"""Fixtures for plan/apply tests: sealed manifests and a real HTTP target server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from deploy_fixtures import TargetServer


@pytest.fixture
def http_target() -> Iterator[TargetServer]:
    server = TargetServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/manifest.json"


from tests.fleet import etcd_server, modelsdev_registry, s3_server  # noqa: E402, F401
