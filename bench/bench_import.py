"""Benchmark: import the whole models.dev corpus, then validate + compile the result.

    python bench/bench_import.py [CORPUS] [--repeat N]

Prints the import time (read + map + write YAML), the validate+compile time of
the written registry, the model count, and their ratio. Target (issue 6): the
import is not slower than the compile by more than 3x. Each figure is the best of
``--repeat`` runs, all measured in this one process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from regctl.interop.modelsdev import import_modelsdev
from regctl.interop.writer import write_registry
from regctl.pipeline.compile import compile_registry

# $REGCTL_MODELSDEV_CORPUS, else ../shared/corpus/models.dev beside the repository.
DEFAULT_CORPUS = Path(
    os.environ.get("REGCTL_MODELSDEV_CORPUS")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "models.dev"
)
# Fill every ${VAR} in the corpus' provider URLs so the whole corpus is imported.
VARIABLES = {
    "AZURE_RESOURCE_NAME": "bench", "AZURE_COGNITIVE_SERVICES_RESOURCE_NAME": "bench",
    "CLOUDFLARE_ACCOUNT_ID": "bench", "CLOUDFLARE_GATEWAY_ID": "bench",
    "DATABRICKS_HOST": "bench.example", "GOOGLE_VERTEX_LOCATION": "us-central1",
    "GOOGLE_VERTEX_PROJECT": "bench", "SNOWFLAKE_ACCOUNT": "bench",
    "NEON_AI_GATEWAY_BASE_URL": "https://neon.example",
}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not (args.corpus / "providers").is_dir():
        print(f"error: {args.corpus}: not a models.dev checkout", file=sys.stderr)
        return 2
    best_import = best_compile = float("inf")
    models = problems = 0
    for _ in range(args.repeat):
        tmp = Path(tempfile.mkdtemp(prefix="regctl-bench-"))
        try:
            out = tmp / "registry"
            t0 = time.perf_counter()
            result = import_modelsdev(args.corpus, variables=VARIABLES)
            write_registry(out, result.providers, result.registry)
            t1 = time.perf_counter()
            compiled = compile_registry(out)
            t2 = time.perf_counter()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        best_import = min(best_import, t1 - t0)
        best_compile = min(best_compile, t2 - t1)
        models = len(compiled.manifest["models"]) if compiled.manifest else result.report.models
        problems = len(compiled.problems)
    ratio = best_import / best_compile
    print(f"models.dev corpus: {result.report.providers} providers, {models} models imported, "
          f"{len(result.report.skipped)} files skipped (reported)")  # fmt: skip
    print(f"import (read+map+write): {best_import:.3f} s")
    print(f"validate+compile:        {best_compile:.3f} s  ({problems} problems)")
    print(
        f"import / compile ratio:  {ratio:.2f}x  (target <= 3x: {'ok' if ratio <= 3 else 'FAIL'})"
    )
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
