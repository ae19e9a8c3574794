"""Fixtures shared by the client tests: the real fleet stores of tests/fleet.py."""

import os
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


@pytest.fixture(scope="session")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One real OpenBao dev server (``bao server -dev``) for the session."""
    from tests.secret_stores import openbao

    with openbao(tmp_path_factory.mktemp("bao")) as server:
        yield server


@pytest.fixture(scope="session")
def moto_sm(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One real ``moto_server`` (IAM enforced) for the session."""
    from tests.secret_stores import moto

    with moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@pytest.fixture
def store_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Vault or AWS setting leaks in from the caller; an empty home; no cached value."""
    from regctl.client.secrets import clear_cache

    for name in list(os.environ):
        if name.startswith(("VAULT_", "BAO_", "AWS_", "REGCTL_SECRETS_")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clear_cache()
    yield monkeypatch
    clear_cache()
