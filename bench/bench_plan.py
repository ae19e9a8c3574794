"""Benchmark: `regctl plan` on a 10,000-model registry where one model changed.

    python bench/bench_plan.py [--models 10000] [--repeat 3]

Generates a synthetic registry (bench/gen_registry.py), compiles it and applies
the manifest to a file target, then changes one model's description and measures,
in this one run:

- compile: ``compile_registry`` of the changed registry;
- plan: what ``regctl plan`` does: compile, read the deployed manifest, diff, render text.

It prints plan time / compile time. The target is <= 1.3x: the diff of a
10,000-model manifest must cost a fraction of compiling it (entities are compared
by canonical JSON, and only the changed one goes through deepdiff).
Times are the best of ``--repeat`` interleaved runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_registry import default_providers, generate

from regctl.deploy.apply import plan_for, resolve_target
from regctl.deploy.plan import Plan
from regctl.deploy.render import render_text
from regctl.pipeline.compile import compile_registry


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def change_one_model(root: Path) -> str:
    """Edit the first model's description in the first provider file; return its file."""
    path = sorted((root / "providers").glob("*.yaml"))[0]
    text = path.read_text()
    marker = '    description: "Synthetic '
    assert marker in text, "generator output changed: no model description found"
    path.write_text(text.replace(marker, '    description: "Edited synthetic ', 1))
    return path.name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "registry"
        providers = default_providers(args.models)
        generate(root, providers, args.models, seed=1)
        base = compile_registry(root)
        assert base.manifest is not None, "generated registry does not compile"
        rt = resolve_target(None, None, f"file:{Path(tmp) / 'deploy' / 'manifest.lock.json'}")
        rt.target.write(base.text, base.digest, expected=rt.target.read())
        changed_file = change_one_model(root)

        def plan() -> Plan:
            result = compile_registry(root)
            assert result.manifest is not None
            the_plan, _ = plan_for(result.manifest, result.text, rt)
            render_text(the_plan)
            return the_plan

        # Interleaved (compile, plan, compile, plan, ...) so load from other processes
        # hits both alike; the best of each is kept.
        t_compile = t_plan = float("inf")
        for _ in range(args.repeat):
            t_compile = min(t_compile, best_of(1, lambda: compile_registry(root))[0])
            t, the_plan = best_of(1, plan)
            t_plan = min(t_plan, t)
        assert isinstance(the_plan, Plan)
        result = compile_registry(root)
        assert result.manifest is not None
        t_diff, _ = best_of(args.repeat, lambda: plan_for(result.manifest or {}, result.text, rt))

    changes = [(c.kind, c.action, c.id) for c in the_plan.changes]
    assert len(changes) == 1 and changes[0][0] == "model", changes
    print(
        f"registry: {args.models} models, {providers} providers; changed 1 model in {changed_file}"
    )
    print(f"plan found: {changes[0][1]} {changes[0][0]} {changes[0][2]}")
    print(f"compile:            {t_compile:.3f} s")
    print(f"plan:               {t_plan:.3f} s  (compile + read target + diff + render)")
    print(f"read + diff alone:  {t_diff:.3f} s  ({t_diff / t_compile:.1%} of compile)")
    ratio = t_plan / t_compile
    print(
        f"plan / compile:     {ratio:.2f}x  (target <= 1.3x: {'PASS' if ratio <= 1.3 else 'FAIL'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
