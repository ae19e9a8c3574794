"""The deadlines the docs promise, at their documented values, against trickling peers.

Each upper bound is the deadline plus a margin plus what the process waited for a CPU
meanwhile (tests/cpuwait.py): tight on an idle machine, never a flake on a busy one, and
a deadline that is not kept (the reports: 16 s for 10 s, over 30 s for 2 s) still fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from tests.conftest import require_module
from tests.cpuwait import CpuWait
from tests.hostile.peers import HostilePeer


@pytest.fixture
def trickle() -> Iterator[HostilePeer]:
    peer = HostilePeer("trickle-body")
    yield peer
    peer.close()


@pytest.fixture
def slow_loris() -> Iterator[HostilePeer]:
    peer = HostilePeer("slow-headers")
    yield peer
    peer.close()


SOURCES = {
    "http": lambda p: f"{p.origin}/m.json",
    "s3": lambda p: f"s3://bucket/m.json?endpoint={p.origin}",
    "etcd": lambda p: f"etcd://{p.netloc}/regctl/m",
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_registry_load_timeout_2_on_a_trickling_store_returns_in_about_2_s(
    kind: str, trickle: HostilePeer, credentials: dict[str, str]
) -> None:
    from regctl.client import ManifestError, Registry

    if kind == "s3":
        require_module("botocore")
        from regctl.client import _s3

        _s3.source_for(SOURCES[kind](trickle), 2)  # botocore's import is not the deadline's
    start = time.monotonic()
    with CpuWait() as waited, pytest.raises(ManifestError, match="timed out after 2 s") as err:
        Registry.load(SOURCES[kind](trickle), timeout=2, cache=False)
    took = time.monotonic() - start
    assert 1.9 < took < 3.0 + waited.seconds, (took, waited.seconds)
    assert "\n" not in str(err.value)


def test_http_target_keeps_its_documented_10_s_against_a_slow_loris(
    slow_loris: HostilePeer, credentials: dict[str, str]
) -> None:
    from regctl.deploy.targets import TargetError
    from regctl.deploy.targets.http import HttpTarget

    target = HttpTarget(f"{slow_loris.origin}/m.json")  # the defaults: 10 s, 3 retries
    start = time.monotonic()
    with CpuWait() as waited, pytest.raises(TargetError, match="timed out after 10 s"):
        target.read()
    took = time.monotonic() - start
    assert 9.9 < took < 11.5 + waited.seconds, (took, waited.seconds)


def test_s3_target_does_not_hang_on_a_trickling_store(
    trickle: HostilePeer, credentials: dict[str, str]
) -> None:
    require_module("boto3")
    from regctl.deploy.targets import TargetError
    from regctl.deploy.targets.s3 import S3Target

    target = S3Target(f"s3://bucket/m.json?endpoint={trickle.origin}", timeout=2, operator=True)
    start = time.monotonic()
    with CpuWait() as waited, pytest.raises(TargetError, match="timed out after 2 s"):
        target.read()
    took = time.monotonic() - start
    assert took < 3.5 + waited.seconds, (took, waited.seconds)  # with boto3's client made
