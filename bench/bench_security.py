"""Benchmark: what the YAML nesting guard costs on a large catalog.

    python bench/bench_security.py [--models 10000] [--repeat 3]

Files whose cheap nesting bound is high are scanned event by event before
libyaml composes them (regctl.pipeline.source_guard). This measures ``load_registry`` of a
synthetic catalog with the guard as shipped and with it switched off, each run in a
fresh subprocess, and prints the medians and their ratio from this one run.
Target: guard / no guard <= 1.25.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_registry import generate  # noqa: E402

_RUN = """
import sys, time
from regctl.pipeline import source_guard
from regctl.pipeline.source import load_registry
if sys.argv[2] == "off":
    source_guard._INLINE_LEVELS = 10**12
t = time.perf_counter()
result = load_registry(sys.argv[1])
assert not result.problems
print(time.perf_counter() - t)
"""


def _time(root: Path, mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(root), mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reg"
        generate(root, providers=4, models=args.models)
        on, off = [], []
        for _ in range(args.repeat):
            on.append(_time(root, "on"))
            off.append(_time(root, "off"))
    g, n = statistics.median(on), statistics.median(off)
    print(
        f"{args.models} models: load with guard {g:.3f}s  without {n:.3f}s  guard/none {g / n:.2f}x"
    )


if __name__ == "__main__":
    main()
