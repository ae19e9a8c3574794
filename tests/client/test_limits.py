"""Resolved.acquire(): rpm/tpm of providers and models, budgets fed by record(), on the
memory backend and on a real Redis server shared by several processes."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.failover_fleet import RedisServer, Upstream, chat, registry

from regctl.client import (
    BudgetExceeded,
    LimitsUnavailable,
    RateLimited,
    Registry,
    health,
    limits,
)
from regctl.client.limits import ENV_VAR


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv(ENV_VAR, raising=False)
    health.reset()
    limits.reset()
    yield
    limits.reset()
    health.reset()


class Sink:
    def emit(self, event: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


SINK = Sink()


def _first(tmp_path: Path, **kw: Any) -> Any:
    return next(Registry.load(registry(tmp_path, None, **kw)).failover("chat"))


def test_no_limits_admits_at_once(tmp_path: Path) -> None:
    r = _first(tmp_path)
    for _ in range(1000):
        r.acquire()


def test_rpm_admits_a_second_worth_then_says_how_long_to_wait(tmp_path: Path) -> None:
    r = _first(tmp_path, rate_limits={"primary": {"rpm": 120}})  # 2/s, burst 2
    r.acquire()
    r.acquire()
    with pytest.raises(RateLimited) as err:
        r.acquire()
    assert 0.3 < err.value.wait <= 0.5 and err.value.limit == "provider:primary rpm"
    assert str(err.value).startswith("provider:primary rpm of primary/model-0 has no room")
    t0 = time.monotonic()
    r.acquire(timeout=1)  # waits for the room instead
    assert 0.3 < time.monotonic() - t0 < 0.8


def test_model_and_provider_limits_both_apply(tmp_path: Path) -> None:
    r = _first(tmp_path, rate_limits={"primary": {"rpm": 6000}},
               model_limits={"primary": {"tpm": 6000}})  # fmt: skip
    r.acquire(tokens=5000)
    with pytest.raises(RateLimited) as err:
        r.acquire(tokens=2000)
    assert err.value.limit == "model:primary/model-0 tpm" and 9 < err.value.wait <= 10
    r.acquire()  # no tokens said: the tpm meter is not asked
    with pytest.raises(RateLimited, match="never fits") as err:
        r.acquire(tokens=6001)
    assert err.value.wait == math.inf


def test_a_refused_call_uses_no_room(tmp_path: Path) -> None:
    r = _first(tmp_path, rate_limits={"primary": {"rpm": 60}},
               model_limits={"primary": {"tpm": 100}})  # fmt: skip
    with pytest.raises(RateLimited):
        r.acquire(tokens=100)
        r.acquire(tokens=50)  # tpm full: refused ...
    r2 = Registry.load(tmp_path / "manifest.lock.json").candidates("chat")[0]
    with pytest.raises(RateLimited, match="rpm"):
        r2.acquire()  # ... and the rpm slot was taken by the first call only


BUDGET = {"scope": "provider:primary", "monthly": 0.0001}


@pytest.mark.parametrize("mode", ["refuse", "fallback", "warn"])
def test_budget_modes(tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    reg = Registry.load(registry(tmp_path, None, budgets=[BUDGET | {"on_exceed": mode}]))
    r = next(reg.failover("chat"))
    r.acquire()
    r.record(input_tokens=50, output_tokens=20, sink=SINK)  # 0.00009 USD: not yet
    r.acquire()
    r.record(input_tokens=50, output_tokens=20, sink=SINK)  # now over
    if mode == "warn":
        with caplog.at_level(logging.WARNING, logger="regctl.client"):
            r.acquire()
            r.acquire()
        said = [rec.getMessage() for rec in caplog.records]
        month = time.strftime("%Y-%m", time.gmtime())
        assert said == [
            f"budget provider:primary is at 0.00009 of 0.0001 USD for {month}",
            f"budget provider:primary is spent for {month}: 0.00018 of 0.0001 USD"
            " (on_exceed: warn)",
        ]
        return
    with pytest.raises(BudgetExceeded) as err:
        r.acquire()
    assert (err.value.scope, err.value.on_exceed) == ("provider:primary", mode)
    assert err.value.exit_code == 7
    other = next(c for c in reg.candidates("chat") if c.provider.id == "backup")
    other.acquire()  # a budget of another scope does not stop backup


def test_call_falls_back_past_a_spent_budget_and_stops_at_a_refusing_one(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.reset()
    budgets = [BUDGET | {"on_exceed": "fallback"},
               {"scope": "all", "monthly": 0.001, "on_exceed": "refuse"}]  # fmt: skip
    reg = Registry.load(registry(tmp_path, upstream, budgets=budgets))
    reg.call("chat", chat, sink=SINK)
    reg.call("chat", chat, sink=SINK)  # 2 x 0.000022 USD on primary...
    reg.call("chat", chat, sink=SINK)
    reg.call("chat", chat, sink=SINK)
    reg.call("chat", chat, sink=SINK)  # ...0.00011: over its 0.0001
    assert [h[0] for h in upstream.hits()] == ["primary"] * 5
    for _ in range(80):  # backup serves until 'all' (0.001 USD) is spent
        try:
            reg.call("chat", chat, sink=SINK)
        except BudgetExceeded as exc:
            assert exc.scope == "all" and exc.on_exceed == "refuse"
            break
    else:
        pytest.fail("the refuse budget never refused")
    served = [h[0] for h in upstream.hits()]
    assert served[:5] == ["primary"] * 5 and set(served[5:]) == {"backup"}
    assert 0.001 <= len(served) * 0.000022 < 0.001 + 0.000022


# -- Redis: one fleet, one set of counters ----------------------------------------------


def test_redis_backend_shares_limits_between_processes(
    tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_server.flush()
    lock = registry(tmp_path, None, rate_limits={"primary": {"rpm": 1200}})  # 20/s
    monkeypatch.setenv(ENV_VAR, redis_server.url)
    out = _fleet(lock, redis_server.url, procs=4, seconds=3.0, mode="rate")
    admitted = sum(o["admitted"] for o in out)
    # 20 per second for 3 s, plus the burst of one second: 80, all processes together
    assert 76 <= admitted <= 82, admitted
    assert all(o["refused"] > 0 for o in out)


def test_redis_refuse_budget_admits_nothing_once_spent(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    redis_server.flush()
    budgets = [{"scope": "all", "monthly": 0.001, "on_exceed": "refuse"}]
    lock = registry(tmp_path, None, budgets=budgets)
    out = _fleet(lock, redis_server.url, procs=4, seconds=20.0, mode="budget")
    crossed = min(o["crossed"] for o in out if o["crossed"] is not None)
    late = [t for o in out for t in o["admit_starts"] if t > crossed]
    assert late == []  # no acquire() that began after the crossing was admitted
    total = sum(o["admitted"] for o in out)
    assert 0.001 <= total * 0.000022 <= 0.001 + 4 * 0.000022  # at most one in flight each


def test_redis_unreachable_fails_open_or_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.fleet import free_ports

    (port,) = free_ports(1)
    monkeypatch.setenv(ENV_VAR, f"redis://:s3cret@127.0.0.1:{port}/0")
    r = _first(tmp_path, rate_limits={"primary": {"rpm": 1}})
    with caplog.at_level(logging.WARNING, logger="regctl.client"):
        r.acquire()
        r.acquire()  # open: admitted, one warning
    assert len(caplog.records) == 1 and "s3cret" not in caplog.text
    assert f"redis://127.0.0.1:{port}/0" in caplog.text
    limits.reset()
    closed = _first(tmp_path / "c", rate_limits={"primary": {"rpm": 1}},
                    policy={"limits": {"on_backend_error": "closed"}})  # fmt: skip
    with pytest.raises(LimitsUnavailable) as err:
        closed.acquire()
    assert "s3cret" not in str(err.value) and err.value.exit_code == 7


WORKER = r"""
import json, sys, time
from regctl.client import Registry, RateLimited, BudgetExceeded
lock, seconds, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
reg = Registry.load(lock)
r = reg.candidates("chat")[0]
class S:
    def emit(self, e): pass
    def flush(self): pass
    def close(self): pass
sink = S()
start = float(sys.argv[4])
while time.time() < start:
    time.sleep(0.001)
admitted = refused = 0
admit_starts, crossed = [], None
end = time.time() + seconds
while time.time() < end:
    t = time.time()
    try:
        r.acquire()
    except RateLimited:
        refused += 1
        time.sleep(0.002)
        continue
    except BudgetExceeded:
        refused += 1
        break
    admitted += 1
    admit_starts.append(t)
    if mode == "budget":
        from regctl.client import limits
        before = crossed
        r.record(input_tokens=12, output_tokens=5, sink=sink)
        p = limits.plan(r)
        be = limits.backend(p.policy)
        key = p.budgets[0].key + limits._month()
        total = be.add_spend([key], 0, 3600)[0]
        if total >= p.budgets[0].limit and crossed is None:
            crossed = time.time()
print(json.dumps({"admitted": admitted, "refused": refused, "admit_starts": admit_starts,
                  "crossed": crossed}))
"""


def _fleet(lock: Path, url: str, procs: int, seconds: float, mode: str) -> list[dict[str, Any]]:
    env = dict(os.environ, REGCTL_LIMITS_URL=url)
    start = time.time() + 1.5  # all processes loaded before the clock starts
    ps = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(lock), str(seconds), mode, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    out = []
    for p in ps:
        stdout, stderr = p.communicate(timeout=seconds + 60)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout))
    return out


def test_no_password_in_the_registry(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    lock = registry(tmp_path, None, policy={"limits": {"backend": "redis://cache:6379/0"}})
    assert json.loads(lock.read_text())["registry"]["policy"]["limits"] == {
        "backend": "redis://cache:6379/0", "on_backend_error": "open"}  # fmt: skip
    reg = tmp_path / "registry" / "registry.yaml"
    reg.write_text(reg.read_text().replace("redis://cache", "redis://:hunter2secret@cache"))
    done = run_cli("validate", str(tmp_path / "registry"))
    assert done.returncode == 1
    assert "policy.limits.backend: does not match the pattern" in done.stdout + done.stderr
    assert "hunter2secret" not in done.stdout + done.stderr
