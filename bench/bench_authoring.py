"""Benchmark `regctl activate` and `regctl fmt --check` against `regctl validate`.

    python bench/bench_authoring.py [--models 5000] [--providers 10]

Generates a synthetic registry (bench/gen_registry.py), then times in one run:
validating it, activating one model (which indexes the provider's files with the C
loader, edits the active lines as text, validates the result in memory and writes), and
fmt --check over every file. Prints each time
and its ratio to validate, so the figures compare on any machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_registry import generate

from regctl.authoring.activate import change_active
from regctl.authoring.fmtcheck import format_paths
from regctl.authoring.index import load_index
from regctl.pipeline.validate import validate


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=5000)
    ap.add_argument("--providers", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "registry"
        generate(root, args.providers, args.models, seed=1)
        assert validate(root).ok
        index = load_index(root, mentioning=("p0",))
        inactive = next(m for m in index.provider_models("p0") if not m.data.get("active"))
        t_validate = _time(lambda: validate(root))
        t_activate = _time(lambda: change_active(root, "p0", inactive.id))
        assert validate(root).ok
        # gen_registry writes a few provider keys out of fmt's order: every file needs
        # rewriting, so every file takes the comment-preserving round trip
        t_fmt = _time(lambda: format_paths([root], check=True))
        changed = len(format_paths([root], check=False).changed)
        t_formatted = _time(lambda: format_paths([root], check=True))
    print(f"registry: {args.models} models, {args.providers} providers")
    print(f"validate:        {t_validate:8.3f} s  (1.00x)")
    print(f"activate:        {t_activate:8.3f} s  ({t_activate / t_validate:.2f}x validate)")
    print(
        f"fmt --check:     {t_fmt:8.3f} s  ({t_fmt / t_validate:.2f}x validate)"
        f"  {changed} files need rewriting"
    )
    print(
        f"fmt --check:     {t_formatted:8.3f} s  ({t_formatted / t_validate:.2f}x validate)"
        "  after fmt: every file already formatted"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
