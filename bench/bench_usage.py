"""Benchmark usage recording and `spend` (issue 14). Prints figures measured in this one run.

- ``Resolved.record()`` with the JSONL sink: per-call median (each call timed on its
  own) and mean (flushes included), in-process (target: median <= 5 us);
- two processes recording 1,000 events/s each into one file, with size rotation:
  events lost (target: none);
- ``spend`` aggregation (``read_usage`` + totals + budgets) over 1,000,000 events of
  one month vs a bare ``json.loads`` of every line of the same file (target <= 2x).

Usage: ``python bench/bench_usage.py [--events N] [--seconds S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from regctl.authoring.init import init_project  # noqa: E402
from regctl.client import Registry, usage  # noqa: E402
from regctl.client.usage_jsonl import JsonlSink, rotated_files  # noqa: E402
from regctl.pipeline.compile import compile_registry, write_lock  # noqa: E402
from regctl.spend.ledger import check_budgets, read_usage, totals  # noqa: E402

WRITER = """
import sys, time
sys.path.insert(0, sys.argv[6])
from regctl.client import Registry, usage
from regctl.client.usage_jsonl import JsonlSink
manifest, path = sys.argv[1], sys.argv[2]
proc, count, rate = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
usage.configure(JsonlSink(path, max_bytes=1_000_000, flush_interval=0.25))
r = Registry.load(manifest).resolve("chat")
start = time.monotonic()
for i in range(count):
    r.record(input_tokens=proc * 10_000_000 + i, output_tokens=1)
    lag = start + (i + 1) / rate - time.monotonic()
    if lag > 0:
        time.sleep(lag)
"""


def bench_record(manifest: Path, folder: Path, n: int) -> None:
    r = Registry.load(manifest).resolve(template="summarize")
    sink = JsonlSink(folder / "record.jsonl", flush_interval=0)
    usage.configure(sink)
    clock = time.perf_counter_ns
    for _ in range(2000):  # warm up: caches, allocator
        r.record(input_tokens=1200, output_tokens=300, latency_ms=800)
    empty = []
    for _ in range(20000):
        t = clock()
        empty.append(clock() - t)
    overhead = statistics.median(empty)
    times = []
    for i in range(n):
        t = clock()
        r.record(input_tokens=1200 + i, output_tokens=300, latency_ms=800.0)
        times.append(clock() - t)
    sink.close()
    usage.configure()
    with open(folder / "record.jsonl", "rb") as f:
        lines = sum(1 for _ in f)
    med = (statistics.median(times) - overhead) / 1000
    mean = (statistics.fmean(times) - overhead) / 1000
    print(
        f"record() with JSONL sink, {n} calls: median {med:.2f} us (target <= 5 us), "
        f"mean {mean:.2f} us incl. flushes; {lines - 2000} lines written"
    )


def bench_two_processes(manifest: Path, folder: Path, seconds: float) -> None:
    path = folder / "shared.jsonl"
    count = int(1000 * seconds)
    t0 = time.monotonic()
    args = [str(manifest), str(path), "", str(count), "1000", str(ROOT / "src")]
    procs = []
    for p in (1, 2):
        args[2] = str(p)
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, *args]))
    for p in procs:
        p.wait()
    took = time.monotonic() - t0
    files = [path, *map(Path, rotated_files(path))]
    seen = [json.loads(line)["input_tokens"] for f in files for line in f.open()]
    want = {p * 10_000_000 + i for p in (1, 2) for i in range(count)}
    lost = len(want - set(seen))
    dup = len(seen) - len(set(seen))
    print(
        f"2 processes x {count} records at 1,000/s into one file: {took:.1f} s, "
        f"{len(files)} files after rotation, lost {lost}, duplicated {dup} (target: 0 lost)"
    )


def make_events(manifest: Path, path: Path, n: int) -> str:
    """``n`` realistic events of one month, spread over its days and four models."""
    reg = Registry.load(manifest)
    chosen = [reg.resolve("chat"), reg.resolve(template="summarize")]
    chosen += [reg.resolve("chat", provider=p) for p in ("anthropic", "xai")]
    chosen += [reg.resolve("embedding")]
    samples = [
        c.record(input_tokens=100 + 37 * i, output_tokens=20 + i, latency_ms=300 + i, sink=())
        for i in range(200)
        for c in chosen
    ]
    month = "2026-11"
    with path.open("w") as f:
        for i in range(n):
            line = samples[i % len(samples)].to_json()
            day, hour, minute = 1 + i % 30, i % 24, i % 60
            stamp = f"{month}-{day:02d}T{hour:02d}:{minute:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z"
            f.write('{"ts":"' + stamp + '"' + line[32:] + "\n")
    return month


def bench_spend(manifest: Path, folder: Path, n: int) -> None:
    path = folder / "month.jsonl"
    month = make_events(manifest, path, n)
    size = path.stat().st_size
    budgets = [{"scope": "all", "monthly": 1000}, {"scope": "provider:openai", "monthly": 500}]

    def baseline() -> int:
        loads, count = json.loads, 0
        with path.open("rb") as f:
            for line in f:
                loads(line)
                count += 1
        return count

    def spend() -> int:
        u = read_usage([path], month)
        totals(u, "provider")
        check_budgets(u, budgets, dt.date(2026, 11, 20))
        return u.events

    baseline()  # page cache warm for both
    t = time.perf_counter()
    lines = baseline()
    t_json = time.perf_counter() - t
    t = time.perf_counter()
    events = spend()
    t_spend = time.perf_counter() - t
    assert events == lines == n, (events, lines)
    print(
        f"spend over {n:,} events ({size / 1e6:.0f} MB): json.loads of every line "
        f"{t_json:.2f} s, spend {t_spend:.2f} s, ratio {t_spend / t_json:.2f}x (target <= 2x)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        init_project(folder)
        manifest = folder / "manifest.lock.json"
        write_lock(compile_registry(folder / "registry", env="prod"), manifest)
        bench_record(manifest, folder, args.calls)
        bench_two_processes(manifest, folder, args.seconds)
        bench_spend(manifest, folder, args.events)


if __name__ == "__main__":
    main()
