"""Benchmark every registry command against ``regctl validate`` on a catalog-sized registry.

    python bench/bench_catalog.py [--sizes 1000,10000,50000] [--repeat 3]

Part 1 imports the models.dev corpus (REGCTL_MODELSDEV_CORPUS, else
``shared/corpus/models.dev`` beside the repository) and times, as whole ``regctl``
processes the way a user runs them, ``validate``, ``fmt --check``, ``show``, ``ls models``,
``activate`` and ``deactivate``, each as a ratio to ``validate`` measured in this run
(runs interleaved, median of ``--repeat``), so machine load mostly cancels.

Part 2 does the same on synthetic registries (bench/gen_registry.py, formatted once with
``regctl fmt``) of each size and prints the per-model cost of every command at each
size and its change from the smallest size (linear scaling: within +-30%). Start-up
(interpreter and imports, about a quarter of a second) is the same at every size, so
per-model costs are taken above the time each command needs on a 100-model registry.
``activate`` is also run on a copy of each synthetic registry, checking that every line
it changes is an ``active:`` line; ``fmt --check`` is also timed on a copy with a comment
above every model and on every ``released`` line (as hand-kept registries look).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_registry import generate  # noqa: E402

REGCTL = [sys.executable, "-m", "regctl"]


def corpus() -> Path | None:
    env = os.environ.get("REGCTL_MODELSDEV_CORPUS")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in HERE.parents:
        found = parent / "shared" / "corpus" / "models.dev"
        if found.is_dir():
            return found
    return None


def run(args: list[str], ok: tuple[int, ...] = (0,)) -> float:
    t = time.perf_counter()
    proc = subprocess.run(REGCTL + args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if proc.returncode not in ok:
        raise SystemExit(f"regctl {' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed


def commands(root: Path, model: str) -> dict[str, list[str]]:
    r = str(root)
    return {
        "validate": ["validate", r],
        "fmt --check": ["fmt", "--check", r],
        "show": ["show", model, "--registry", r],
        "ls models": ["ls", "models", r],
        "activate": ["activate", model, "--registry", r],
        "deactivate": ["deactivate", model, "--registry", r],
    }


def measure(root: Path, model: str, repeat: int) -> dict[str, float]:
    cmds = commands(root, model)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(repeat):  # interleaved: load on the machine hits every command alike
        for name, args in cmds.items():
            times[name].append(run(args))
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title: str, med: dict[str, float]) -> None:
    print(title)
    base = med["validate"]
    for name, t in med.items():
        print(f"  {name:<12} {t:7.3f} s  {t / base:5.2f}x validate")


def first_inactive_model(root: Path) -> str:
    from regctl.pipeline.validate import validate

    rep = validate(root)
    for pid, by_id in sorted(rep.registry.base.models.items()):
        for mid, m in sorted(by_id.items()):
            if not m.obj.active_for():
                return f"{pid}/{mid}"
    raise SystemExit("no inactive model")


def commented_copy(root: Path) -> Path:
    """A copy of ``root`` as people keep it: a blank line and a comment above every model,
    an end-of-line comment on every ``released`` line (fmt keeps all of them)."""
    import shutil

    copy = root.parent / (root.name + "-commented")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy)
    for path in copy.rglob("*.yaml"):
        out = []
        for line in path.read_text().splitlines(keepends=True):
            if line.startswith("  - id: "):
                out += ["\n", f"  # {line[8:].strip()}: reviewed by the platform team\n"]
            if line.startswith("    released: "):
                line = line.rstrip("\n") + "  # announced\n"
            out.append(line)
        path.write_text("".join(out))
    return copy


def only_active_lines_changed(root: Path, model: str) -> int:
    """Run ``activate`` on a copy of ``root``; fail unless every changed line is an active line."""
    import difflib
    import shutil

    copy = root.parent / (root.name + "-edit")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy)
    before = {p: p.read_text() for p in copy.rglob("*.yaml")}
    run(["activate", model, "--registry", str(copy)])
    changed = 0
    for path, old in before.items():
        new = path.read_text()
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
            if line[:1] in "+-" and not line.startswith(("+++", "---")):
                assert line[1:].strip().startswith("active:"), (path, line)
                changed += 1
    shutil.rmtree(copy)
    return changed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        src = corpus()
        if src is None:
            print("models.dev corpus not found: skipping part 1")
        else:
            reg = Path(tmp) / "modelsdev"
            run(["import", "modelsdev", str(src), "-o", str(reg)])
            model = first_inactive_model(reg)
            report(f"models.dev import ({model}):", measure(reg, model, args.repeat))
        # Start-up (interpreter, imports) is a fixed cost: measured on a 100-model registry
        # and taken off before comparing per-model costs between sizes.
        small = Path(tmp) / "r100"
        generate(small, 10, 100)
        run(["fmt", str(small)])
        # Small sizes take a fraction of a second: more runs, so that a few milliseconds
        # of noise do not read as a per-model change.
        fixed = measure(small, first_inactive_model(small), max(args.repeat, 9))
        report("fixed cost (100 models):", fixed)
        rows = []
        for size in [int(s) for s in args.sizes.split(",")]:
            root = Path(tmp) / f"r{size}"
            generate(root, max(10, size // 500), size)
            run(["fmt", str(root)])
            model = first_inactive_model(root)
            repeat = 1 if size >= 50_000 else max(args.repeat, 9) if size <= 1000 else args.repeat
            med = measure(root, model, repeat)
            report(f"synthetic {size} models ({model}):", med)
            edited = only_active_lines_changed(root, model)
            print(f"  activate changed {edited} lines, all 'active:'")
            commented = commented_copy(root)
            cmds = commands(commented, model)
            times: dict[str, list[float]] = {"validate": [], "fmt --check": []}
            for _ in range(repeat):
                for name in times:
                    times[name].append(run(cmds[name]))
            med_c = {name: statistics.median(ts) for name, ts in times.items()}
            report(f"synthetic {size} models, a comment above each model:", med_c)
            shutil_rmtree(commented)
            rows.append((size, med))
            shutil_rmtree(root)
        base_size, base = rows[0]
        for size, med in rows:
            parts = []
            for name, t in med.items():
                per = (t - fixed[name]) / (size - 100)
                base_per = (base[name] - fixed[name]) / (base_size - 100)
                parts.append(f"{name} {per * 1e6:.0f} us ({per / base_per - 1:+.0%})")
            print(f"per model above start-up at {size} vs {base_size}: " + ", ".join(parts))


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
