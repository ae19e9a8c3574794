"""Benchmark failover and limits (issue 24). Prints figures measured in this one run.

- ``Registry.failover()`` + ``Resolved.report()`` per call, in-process, against
  ``Registry.resolve()`` and ``candidates()`` of the same question (target: failover +
  report <= 2 us per call);
- the Redis limiter: ``acquire()`` calls per second from 4 processes on loopback
  (target >= 10,000/s);
- fleet accuracy: 4 processes sharing one rpm limit for ``--seconds`` (60): calls admitted
  vs the limit (target: within 2%);
- budgets: 4 processes recording spend against one ``refuse`` budget: calls admitted by an
  ``acquire()`` that started after the spend crossed the limit (target: 0).

Needs ``redis-server`` (Debian package; scripts/install-test-deps.sh). Usage:
``python bench/bench_failover.py [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.failover_fleet import RedisServer, registry  # noqa: E402

from regctl.client import Registry, health  # noqa: E402

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[5])
from regctl.client import Registry, RateLimited, BudgetExceeded, limits
lock, seconds, mode, start = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
r = Registry.load(lock).candidates("chat")[0]
class S:
    def emit(self, e): pass
    def flush(self): pass
    def close(self): pass
sink = S()
r.acquire() if mode == "speed" else None  # connect and load the script before the clock
while time.time() < start:
    time.sleep(0.0005)
calls = admitted = 0
starts, crossed = [], None
end = start + seconds
while time.time() < end:
    t = time.time()
    calls += 1
    try:
        r.acquire()
    except RateLimited as exc:
        if mode == "accuracy":
            time.sleep(min(exc.wait, 0.005))
        continue
    except BudgetExceeded:
        if mode == "budget":
            time.sleep(0.001)
            continue
        raise
    admitted += 1
    starts.append(t)
    if mode == "budget":
        r.record(input_tokens=12, output_tokens=5, sink=sink)
        p = limits.plan(r)
        total = limits.backend(p.policy).add_spend([p.budgets[0].key + limits._month()], 0, 3600)[0]
        if crossed is None and total >= p.budgets[0].limit:
            crossed = time.time()
print(json.dumps({"calls": calls, "admitted": admitted,
                  "starts": starts if mode == "budget" else [], "crossed": crossed}))
"""


def fleet(lock: Path, url: str, procs: int, seconds: float, mode: str) -> list[dict]:
    env = dict(os.environ, REGCTL_LIMITS_URL=url)
    start = time.time() + 2.0
    ps = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(lock),
                str(seconds),
                mode,
                str(start),
                str(ROOT / "src"),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    out = []
    for p in ps:
        stdout, _ = p.communicate(timeout=seconds + 120)
        out.append(json.loads(stdout))
    return out


def bench_inprocess(folder: Path) -> None:
    reg = Registry.load(registry(folder / "inproc", None))
    health.reset()
    n = 200_000

    def timed(fn) -> float:
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            runs.append((time.perf_counter() - t0) / n * 1e6)
        return statistics.median(runs)

    def via_failover() -> None:
        r = next(reg.failover("chat"))
        r.report(True)

    res = timed(lambda: reg.resolve("chat"))
    cand = timed(lambda: reg.candidates("chat")[0])
    fo = timed(via_failover)
    print(
        f"in-process, {n} calls x 5: resolve() {res:.2f} us, candidates()[0] {cand:.2f} us, "
        f"failover()+report() {fo:.2f} us per call (target <= 2 us); "
        f"{fo / res:.2f}x resolve()"
    )
    first = next(reg.failover("chat"))
    for _ in range(4):
        first.report(False, status=503)
    fo_cool = timed(via_failover)
    print(f"  with the first candidate cooling down: failover()+report() {fo_cool:.2f} us")
    health.reset()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_inprocess(folder)
        server = RedisServer("redis-server", folder / "redis")
        server.start()
        try:
            lock = registry(folder / "speed", None, rate_limits={"primary": {"rpm": 10**9}})
            out = fleet(lock, server.url, 4, 10.0, "speed")
            calls = sum(o["calls"] for o in out)
            print(
                f"Redis limiter, 4 processes x 10 s: {calls} acquire() = {calls / 10:,.0f}/s "
                f"(target >= 10,000/s)"
            )
            server.flush()
            rpm = 6000
            lock = registry(folder / "acc", None, rate_limits={"primary": {"rpm": rpm}})
            out = fleet(lock, server.url, 4, args.seconds, "accuracy")
            admitted = sum(o["admitted"] for o in out)
            allowed = rpm * args.seconds / 60
            print(
                f"fleet accuracy, 4 processes x {args.seconds:.0f} s at rpm {rpm}: admitted "
                f"{admitted} of {allowed:.0f} allowed, {admitted / allowed - 1:+.2%} "
                f"(burst of 1 s = {rpm // 60} included; target within 2%); "
                f"per process {[o['admitted'] for o in out]}"
            )
            server.flush()
            budgets = [{"scope": "all", "monthly": 0.01, "on_exceed": "refuse"}]
            lock = registry(folder / "budget", None, budgets=budgets)
            out = fleet(lock, server.url, 4, 15.0, "budget")
            crossings = [o["crossed"] for o in out if o["crossed"] is not None]
            crossed = min(crossings)
            late = sum(1 for o in out for t in o["starts"] if t > crossed)
            total = sum(o["admitted"] for o in out)
            print(
                f"budget, 4 processes: {total} calls admitted ({total * 0.000022:.6f} USD of "
                f"a 0.01 USD refuse budget), {late} admitted after it was spent (target 0); "
                f"{sum(o['calls'] for o in out) - total} refused"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
