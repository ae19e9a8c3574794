"""Benchmark: validate+compile time against a bare parse with PyYAML's C loader.

    python bench/bench_compile.py [--sizes 1000,10000,50000] [--repeat 3]

For each size it generates a synthetic registry (bench/gen_registry.py), then in
fresh subprocesses (so no run inherits another's heap or warm caches) measures:

- bare:     ``yaml.load_all(..., Loader=yaml.CSafeLoader)`` over every file (stock PyYAML,
            garbage collector on, as anyone would call it);
- bare-nogc: the same with the garbage collector off (a stricter baseline, since
            regctl pauses the collector while it builds the registry);
- compile:  what ``regctl compile REGISTRY -o FILE`` does: ``compile_registry`` (load,
            parse, rules on the base registry, manifest) and ``write_lock`` (canonical JSON
            streamed to the file, fsync, rename), plus the process's peak RSS.

It prints the median of ``--repeat`` runs and the ratios measured in this one run, in wall
time and in the timed part's CPU time (which other processes on a shared machine disturb
far less than the wall clock), with the machine's load average before and after (the
machine is shared: compare only figures from one run). Targets (issue 27): compile / bare
<= 0.5 at 1,000, 10,000 and 50,000 models; peak RSS <= 6 KB per model at 50,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_registry import generate  # noqa: E402

CHILD = r"""
import gc, glob, json, resource, sys, time, datetime as dt
root, what = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(root + "/**/*.yaml", recursive=True))
datas = [open(f, "rb").read() for f in files]  # read outside the timed part for both
if what == "compile":
    from regctl.pipeline.compile import compile_registry, write_lock
    del datas  # warmed the page cache; regctl reads the files itself
else:
    import yaml
    if what == "bare-nogc":
        gc.disable()
t, c = time.perf_counter(), time.process_time()
if what == "compile":
    # what `regctl compile REGISTRY -o FILE` does: validate, build, write the lock
    result = compile_registry(root, as_of=dt.date(2026, 11, 23))
    assert result.ok, result.problems[:3]
    write_lock(result, sys.argv[3])
    models = len(result.manifest["models"])
else:
    models = 0
    for d in datas:
        for doc in yaml.load_all(d, Loader=yaml.CSafeLoader):
            models += len(doc.get("models") or [])
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "models": models, "rss_mb": rss}))
"""


def run(root: Path, what: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), what, str(root.parent / "out.lock.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"r{size}"
            generate(root, max(10, size // 500), size)
            variants = ("bare", "bare-nogc", "compile")
            runs: dict[str, list[dict[str, float]]] = {what: [] for what in variants}
            for _ in range(args.repeat):
                # interleaved (bare, bare-nogc, compile, bare, ...) so that a burst of load
                # on the shared machine hits every variant alike
                for what in variants:
                    runs[what].append(run(root, what))
            med = {what: statistics.median(r["seconds"] for r in runs[what]) for what in variants}
            cpu = {what: statistics.median(r["cpu"] for r in runs[what]) for what in variants}
            rss = max(r["rss_mb"] for r in runs["compile"])
            assert all(r["models"] == size for r in runs["compile"])
            rows.append((size, med, rss))
            bare, nogc, comp = med["bare"], med["bare-nogc"], med["compile"]
            print(
                f"{size:>6} models: bare {bare:.3f}s  bare-nogc {nogc:.3f}s  compile {comp:.3f}s  "
                f"compile/bare {comp / bare:.2f}x  compile/bare-nogc {comp / nogc:.2f}x  "
                f"peak RSS {rss:.0f} MB ({rss * 1024 / size:.1f} KB/model)",
                flush=True,
            )
            print(  # CPU time: what the other processes on a shared machine disturb least
                f"{'':>6}   CPU:   bare {cpu['bare']:.3f}s  bare-nogc {cpu['bare-nogc']:.3f}s  "
                f"compile {cpu['compile']:.3f}s  compile/bare {cpu['compile'] / cpu['bare']:.2f}x  "
                f"compile/bare-nogc {cpu['compile'] / cpu['bare-nogc']:.2f}x",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base_size, base_med, _ = rows[0]
    for size, med, _ in rows[1:]:
        scale = size / base_size
        per_model = med["compile"] / size * 1e6
        base_per_model = base_med["compile"] / base_size * 1e6
        print(
            f"scaling {base_size}->{size} models (x{scale:.0f}): compile time x"
            f"{med['compile'] / base_med['compile']:.1f}, per model {per_model:.0f} us "
            f"vs {base_per_model:.0f} us"
        )


if __name__ == "__main__":
    main()
