"""Hostile-peer surface of the client's limits backend (regctl.io.resp, issue 24): a Redis
URL that points at a hostile server must give up within the command deadline, with one
line that names the server without its password."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from tests.hostile.peers import HostilePeer
from tests.hostile.surfaces import surface


@functools.lru_cache(maxsize=1)
def _lock_text() -> str:
    from tests.failover_fleet import registry

    with tempfile.TemporaryDirectory() as tmp:
        lock = registry(Path(tmp), None, rate_limits={"primary": {"rpm": 60}},
                        policy={"limits": {"on_backend_error": "closed"}})  # fmt: skip
        return lock.read_text()


@surface(
    "client.limits-redis",
    "peer",
    "regctl.io.resp",
    "regctl.client._limits_backends",
    "regctl.client.limits",
)
def _limits_redis(peer: HostilePeer, tmp: Path) -> str:
    from regctl.client import LimitsUnavailable, Registry, limits

    lock = tmp / "manifest.lock.json"
    lock.write_text(_lock_text())
    chosen = Registry.load(lock).candidates("chat")[0]
    old = os.environ.get(limits.ENV_VAR)
    os.environ[limits.ENV_VAR] = f"redis://:hostile-redis-password@{peer.netloc}/0"
    limits.reset()
    try:
        chosen.acquire()
    except LimitsUnavailable as exc:
        assert "hostile-redis-password" not in str(exc)
        return str(exc)
    finally:
        limits.reset()
        if old is None:
            os.environ.pop(limits.ENV_VAR, None)
        else:
            os.environ[limits.ENV_VAR] = old
    return ""
