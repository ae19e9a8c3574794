"""Benchmark ``regctl serve`` with ``wrk`` (issue 15). Prints figures from this one run.

1. ``wrk`` against ``GET /v1/providers/openai/active?capability=chat`` for ``--duration``
   seconds: requests/s, p50/p99 latency, errors (goal >= 5,000 req/s, p99 <= 20 ms,
   zero errors);
2. the same against ``/healthz`` (a handler that does nothing) for a third of the time,
   so the ratio active/healthz says what the lookup costs on top of the HTTP stack,
   whatever the machine's speed;
3. ``wrk`` again while the manifest file is replaced by a new one mid-run: zero errors,
   and the new active model is served afterwards.

The server is a real ``regctl serve`` subprocess (uvicorn, access log on, written to a
file) on a free loopback port; the manifest is the example registry compiled by the
real compiler. Usage: ``python bench/bench_serve.py [--duration 30] [--connections 16]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from regctl.base.canonical import dumps_pretty, seal  # noqa: E402
from regctl.io.fsutil import atomic_write  # noqa: E402

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wrk(url: str, duration: int, connections: int) -> dict[str, Any]:
    """Run wrk and parse its summary (latencies in ms)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = {
        p: float(v) * UNITS[u]
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"rps": rps, "p50": pct["50"], "p99": pct["99"], "total": total, "errors": errors}


def show(label: str, r: dict[str, Any]) -> None:
    print(
        f"{label}: {r['rps']:,.0f} req/s  p50 {r['p50']:.2f} ms  p99 {r['p99']:.2f} ms  "
        f"{r['total']:,} requests  {r['errors']} errors"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    manifest = tmp / "manifest.lock.json"
    subprocess.run(
        [sys.executable, "-m", "regctl", "compile", str(ROOT / "registry"), "-o", str(manifest)],
        check=True,
        capture_output=True,
    )
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regctl",
            "serve",
            "--manifest",
            str(manifest),
            "--port",
            str(port),
            "--interval",
            "0.5",
        ],
        stderr=log,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if get(base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not become ready")
            time.sleep(0.1)
        url = base + "/v1/providers/openai/active?capability=chat"
        print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f} (shared machine)")
        print(f"wrk -t2 -c{args.connections} -d{args.duration}s, server: 1 uvicorn process")
        wrk(url, 2, args.connections)  # warm-up
        active = wrk(url, args.duration, args.connections)
        show("/v1/providers/openai/active", active)
        health = wrk(base + "/healthz", max(5, args.duration // 3), args.connections)
        show("/healthz (reference)      ", health)
        print(f"active / healthz throughput: {active['rps'] / health['rps']:.2f}x")
        ok = active["rps"] >= 5000 and active["p99"] <= 20 and active["errors"] == 0
        print(f"goal >= 5,000 req/s, p99 <= 20 ms, 0 errors: {'PASS' if ok else 'FAIL'}")

        # Reload under load: replace the manifest while wrk runs.
        new = json.loads(json.dumps(doc))
        old = new["active"]["openai"]["chat"]
        new["active"]["openai"]["chat"] = "openai/gpt-4o-mini"
        new["models"][old]["active"].remove("chat")
        new["models"]["openai/gpt-4o-mini"]["active"] = sorted(
            {*new["models"]["openai/gpt-4o-mini"]["active"], "chat"}
        )
        new = seal(new)
        span = max(10, args.duration // 2)
        swap = threading.Timer(
            span / 2, lambda: atomic_write(manifest, dumps_pretty(new).encode("utf-8"))
        )
        swap.start()
        during = wrk(url, span, args.connections)
        swap.join()
        show("during a reload           ", during)
        body = json.loads(get(url)[1])
        swapped = body["digest"] == new["digest"] and body["model"]["key"] == "openai/gpt-4o-mini"
        metrics = get(base + "/metrics")[1].decode()
        reloads = re.search(r"^regctl_manifest_reloads_total (\d+)$", metrics, re.M)
        print(
            f"reload under load: new manifest served {swapped}, reloads_total "
            f"{reloads.group(1) if reloads else '?'}, errors {during['errors']}: "
            f"{'PASS' if swapped and during['errors'] == 0 else 'FAIL'}"
        )
        return 0 if ok and swapped and during["errors"] == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
