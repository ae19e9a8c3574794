"""Start-up cost of the commands people run on every save and every commit (issue 26).

Prints, from this one run (whole processes, interleaved, median of ``--runs``):

- ``regctl --version`` in milliseconds (target <= 60 ms), next to ``python -c pass``;
- ``regctl validate registry/`` divided by ``yamllint -d relaxed registry/`` on the same
  folder (target <= 1.0x: an editor or a pre-commit hook pays this on every save);
- ``Registry.load(M).active_model(...)`` of a 1,000-model lock divided by a bare
  ``json.loads`` process of the same file (target <= 1.2x).

Usage: ``python bench/bench_startup.py [--runs N]``. The console script and yamllint are
taken from this interpreter's ``bin`` folder (not a pyenv shim, which adds its own start-up).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_client import make_manifest  # noqa: E402

CLIENT = (
    "import sys\nfrom regctl.client import Registry\n"
    "Registry.load(sys.argv[1]).active_model('p1', 'chat')\n"
)
BARE = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.loads(f.read())\n"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    # Installed packages (yamllint, click, the standard library) ship compiled bytecode;
    # let the warm-up runs write it for ours too, or every run would compile regctl from
    # source (as bench_client does).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    yamllint = BIN / "yamllint"
    if not yamllint.exists():
        sys.exit("yamllint not found next to this interpreter: pip install yamllint")
    with tempfile.TemporaryDirectory() as tmp:
        lock = Path(tmp) / "m.json"
        lock.write_text(make_manifest(1000), encoding="utf-8")
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "regctl --version": [str(BIN / "regctl"), "--version"],
            "regctl validate registry/": [str(BIN / "regctl"), "validate", "registry/"],
            "yamllint -d relaxed registry/": [str(yamllint), "-d", "relaxed", "registry/"],
            "client load 1k": [sys.executable, "-c", CLIENT, str(lock)],
            "json.loads 1k": [sys.executable, "-c", BARE, str(lock)],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for cmd in cases.values():  # warm the page cache and .pyc files
            timed(cmd, env)
        for _ in range(args.runs):
            for name, cmd in cases.items():
                wall, cpu = timed(cmd, env)
                times[name].append(wall)
                cpus[name].append(cpu)
    med = {name: statistics.median(v) for name, v in times.items()}
    cpu_med = {name: statistics.median(v) for name, v in cpus.items()}
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, interleaved; load average {load:.2f}; median wall, CPU")
    for name, value in med.items():
        print(f"  {name:32} {value * 1000:7.1f} ms  {cpu_med[name] * 1000:7.1f} ms CPU")
    print(f"regctl --version: {med['regctl --version'] * 1000:.0f} ms (target <= 60 ms)")
    ratio = med["regctl validate registry/"] / med["yamllint -d relaxed registry/"]
    print(f"validate / yamllint: {ratio:.2f}x (target <= 1.0x)")
    ratio = med["client load 1k"] / med["json.loads 1k"]
    print(f"client load / json.loads at 1,000 models: {ratio:.2f}x (target <= 1.2x)")
    # CPU time: what the other processes on a shared machine disturb least
    ratio = cpu_med["regctl validate registry/"] / cpu_med["yamllint -d relaxed registry/"]
    print(f"in CPU time: validate / yamllint {ratio:.2f}x", end=", ")
    ratio = cpu_med["client load 1k"] / cpu_med["json.loads 1k"]
    print(f"client load / json.loads {ratio:.2f}x")


if __name__ == "__main__":
    main()
