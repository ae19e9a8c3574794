"""How fast an apply reaches a fleet: 50 watcher processes per target kind.

For each kind (file, HTTP, S3, etcd, a mounted-ConfigMap layout) the script starts
the real store on loopback (SeaweedFS, etcd; the HTTP target server of the tests),
deploys a manifest, starts 50 processes that each run ``Registry.watch(source)``,
measures their idle CPU, then applies new manifests and times, from ``write()``
returning to each watcher holding the new digest (watchers print
``time.time()`` on ``on_change``). Prints p50/p99 of those latencies, the time
until all 50 held each new manifest, and idle CPU per watcher (utime+stime from
/proc over the idle window).

Usage: python bench/bench_propagation.py [--watchers 50] [--rounds 5] [--interval 1.0]
       [--kinds file,http,s3,etcd,configmap]
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "deploy"), str(ROOT / "src")]

from deploy_fixtures import TargetServer, build_manifest  # noqa: E402
from tests.fleet import etcd, kubelet_write, make_bucket, s3_env, seaweed  # noqa: E402

from regctl.base.canonical import dumps_pretty  # noqa: E402
from regctl.deploy.targets import open_target  # noqa: E402

WATCHER = """
import sys, time
from regctl.client import Registry
source, interval = sys.argv[1], float(sys.argv[2])
def changed(reg):
    print(reg.digest, time.time(), flush=True)
reg = Registry.watch(source, interval=interval, on_change=changed, cache=False)
print(reg.digest, time.time(), flush=True)
sys.stdin.read()  # parent closes stdin to stop us
"""

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def manifest(i: int) -> tuple[str, str]:
    doc = build_manifest(extra_models=i)
    return dumps_pretty(doc), doc["digest"]


class Fleet:
    def __init__(self, source: str, n: int, interval: float, env: dict[str, str]) -> None:
        self.events: queue.Queue[tuple[int, str, float]] = queue.Queue()
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", WATCHER, source, str(interval)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(n)
        ]
        for i, p in enumerate(self.procs):
            threading.Thread(target=self._read, args=(i, p), daemon=True).start()

    def _read(self, i: int, p: subprocess.Popen[str]) -> None:
        assert p.stdout is not None
        for line in p.stdout:
            digest, at = line.split()
            self.events.put((i, digest, float(at)))

    def wait_all(self, digest: str, timeout: float) -> dict[int, float]:
        got: dict[int, float] = {}
        deadline = time.monotonic() + timeout
        while len(got) < len(self.procs):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                i, d, at = self.events.get(timeout=left)
            except queue.Empty:
                break
            if d == digest:
                got[i] = at
        return got

    def stop(self) -> None:
        for p in self.procs:
            if p.stdin:
                p.stdin.close()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def run_kind(kind: str, args: argparse.Namespace, work: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    server = None
    http = None
    if kind == "s3":
        server = seaweed(shutil.which("weed") or "weed", work / "weed")
        server.start()
        env.update(s3_env(server.url))
        os.environ.update(s3_env(server.url))
        uri = f"s3://{make_bucket(server.url, versioned=False)}/prod/manifest.lock.json"
        source = uri
    elif kind == "etcd":
        server = etcd(shutil.which("etcd") or "etcd", work / "etcd")
        server.start()
        uri = source = f"etcd://{server.url.split('://')[1]}/regctl/bench"
    elif kind == "http":
        http = TargetServer()
        http.thread.start()
        uri = source = http.url
    elif kind == "file":
        uri = source = str(work / "file" / "manifest.lock.json")
    else:
        (work / "cm").mkdir()
        uri = source = str(work / "cm" / "manifest.lock.json")

    counter = iter(range(10**6))

    def apply(i: int) -> str:
        text, digest = manifest(i)
        if kind == "configmap":
            stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime()) + f".{next(counter)}"
            kubelet_write(work / "cm", {"manifest.lock.json": text.encode()}, stamp)
        else:
            target = open_target(uri, work)
            target.write(text, digest, expected=target.read())
        return digest

    try:
        first = apply(0)
        fleet = Fleet(source, args.watchers, args.interval, env)
        try:
            ready = fleet.wait_all(first, timeout=120)
            assert len(ready) == args.watchers, f"{kind}: only {len(ready)} watchers started"
            time.sleep(2.0)  # let imports and connections settle before measuring idle
            before = sum(cpu_seconds(p.pid) for p in fleet.procs)
            t0 = time.monotonic()
            time.sleep(args.idle)
            idle = sum(cpu_seconds(p.pid) for p in fleet.procs) - before
            idle_pct = 100 * idle / (time.monotonic() - t0) / args.watchers
            latencies: list[float] = []
            alls: list[float] = []
            for r in range(1, args.rounds + 1):
                digest = apply(r)
                done = time.time()
                got = fleet.wait_all(digest, timeout=args.interval * 4 + 10)
                lat = [at - done for at in got.values()]
                missing = args.watchers - len(got)
                latencies += lat
                alls.append(max(lat) if not missing else float("inf"))
                time.sleep(args.interval * 0.37)  # land the next apply at another poll phase
            q = statistics.quantiles(latencies, n=100, method="inclusive")
            print(
                f"{kind:9} watchers={args.watchers} interval={args.interval}s  "
                f"p50 {statistics.median(latencies) * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  "
                f"all-{args.watchers} max {max(alls) * 1000:7.1f} ms  "
                f"idle CPU/watcher {idle_pct:.3f}%",
                flush=True,
            )
        finally:
            fleet.stop()
    finally:
        if server is not None:
            server.stop()
        if http is not None:
            http.httpd.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--watchers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--interval", type=float, default=1.0, help="poll interval (s)")
    ap.add_argument("--idle", type=float, default=10.0, help="idle CPU window (s)")
    ap.add_argument("--kinds", default="file,http,s3,etcd,configmap")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs (shared); goals: etcd p99 <= 1 s, polling p99 <= "
          f"interval + 0.5 s, idle CPU <= 0.1% per watcher")  # fmt: skip
    for kind in args.kinds.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            run_kind(kind, args, Path(tmp))


if __name__ == "__main__":
    main()
