"""S3 and etcd targets named in the registry get no credentials unless the operator allows.

The recorder is a loopback HTTP server standing in for a host a pull request could
name (``?endpoint=`` of an s3:// target, the host of an etcd:// target): it records what
arrives. The operator allows a host with REGCTL_TARGET_ALLOWED_HOSTS or --target.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.hostile.peers import Recorder

from regctl.base.errors import RegctlError
from regctl.deploy.targets import open_target

PASSWORD = "hunter2-etcd-Zq81"
AWS_KEY_ID = "AKIAREGCTLTESTKEY01"


@pytest.fixture
def recorder() -> Iterator[tuple[str, Recorder]]:
    rec = Recorder("127.0.0.1")
    yield f"127.0.0.1:{rec.port}", rec
    rec.close()


def _parsed(rec: Recorder) -> list[tuple[str, str, str | None, bytes]]:
    """(method, path, Authorization, body) of each request the recorder saw."""
    out = []
    for raw in rec.seen:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path = lines[0].split(" ")[:2]
        auth = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in lines[1:]
                if ln.lower().startswith("authorization:")
            ),
            None,
        )
        out.append((method, path, auth, body))
    return out


def test_etcd_password_goes_only_to_an_allowed_host(
    recorder: tuple[str, Recorder],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, rec = recorder
    monkeypatch.setenv("ETCDCTL_USER", f"root:{PASSWORD}")
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    uri = f"etcd://{host}/regctl/prod"
    target = open_target(uri, base_dir=Path("."))  # from the registry
    assert not target.read().exists
    assert rec.seen and all(not p.endswith("/auth/authenticate") for _, p, _, _ in _parsed(rec))
    assert all(PASSWORD.encode() not in body for *_, body in _parsed(rec))

    rec.seen.clear()
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", host)
    open_target(uri, base_dir=Path(".")).read()
    assert any(p.endswith("/auth/authenticate") for _, p, _, _ in _parsed(rec))  # the test can fail

    rec.seen.clear()
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS")
    open_target(uri, base_dir=Path("."), operator=True).read()  # --target
    assert any(p.endswith("/auth/authenticate") for _, p, _, _ in _parsed(rec))


def test_s3_endpoint_from_the_registry_gets_no_signature(
    recorder: tuple[str, Recorder],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.conftest import require_module

    require_module("boto3")
    host, rec = recorder
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-Regctl-Test-Key-0123456789abcd")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    uri = f"s3://bucket/prod.json?endpoint=http://{host}"
    target = open_target(uri, base_dir=Path("."))
    with pytest.raises(RegctlError) as err:
        target.read()
    assert "credentials were not sent" in str(err.value)
    assert rec.seen and all(auth is None for _, _, auth, _ in _parsed(rec)), _parsed(rec)

    rec.seen.clear()
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", host)
    with pytest.raises(RegctlError):
        open_target(uri, base_dir=Path(".")).read()
    got = _parsed(rec)
    assert got and all(auth and AWS_KEY_ID in auth for _, _, auth, _ in got), got
