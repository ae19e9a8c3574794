"""Fixtures shared by the client tests: the real fleet stores of tests/fleet.py."""

from pathlib import Path
from typing import Any

import pytest
from tests.failover_fleet import redis_server, upstream  # noqa: F401
from tests.fleet import etcd_server, modelsdev_registry, s3_server  # noqa: F401


@pytest.fixture(scope="session")
def modelsdev_lock(
    modelsdev_registry: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    from regctl.pipeline.compile import compile_registry

    result = compile_registry(modelsdev_registry)
    assert result.manifest is not None
    text: Any = result.text
    return str(text)
