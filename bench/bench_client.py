"""Benchmark the runtime client (issue 3). Prints ratios measured in this one run.

- whole-process ``Registry.load(M).active_model('p1', 'chat')`` divided by whole-process
  ``json.loads`` of the same file, for 1,000 and 10,000 models (target <= 1.3x);
- median ``active_model`` lookup (target <= 1 us);
- whole-process ``import litellm`` for reference, when litellm is installed.

Usage: ``python bench/bench_client.py [--runs N]``. Manifests are generated directly
(sealed and written exactly as the compiler writes them) into a temp folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from regctl.base.canonical import dumps_pretty, seal  # noqa: E402

CAPS = ["chat", "completion", "embedding", "vision", "tools", "code", "reasoning"]


def make_manifest(n_models: int, n_providers: int = 10) -> str:
    """A sealed manifest of ``n_models`` realistic model entries, in the file form."""
    providers: dict[str, Any] = {}
    active: dict[str, dict[str, str]] = {}
    for p in range(1, n_providers + 1):
        pid = f"p{p}"
        providers[pid] = {
            "id": pid,
            "display_name": f"Provider {p}",
            "api": "openai-compatible",
            "base_url": f"https://api.p{p}.example.com/v1",
            "enabled": True,
            "credentials": [f"env:P{p}_API_KEY", f"file:/run/secrets/p{p}"],
            "allow_shared_credentials": True,
            "defaults": {"temperature": 0.7, "max_tokens": 1024},
            "rate_limits": {"rpm": 600, "tpm": 100000},
            "labels": {"tier": "paid"},
        }
        active[pid] = {}
    models: dict[str, Any] = {}
    for i in range(n_models):
        pid, mid = f"p{i % n_providers + 1}", f"model-{i}"
        caps = list(dict.fromkeys([CAPS[i % 7], CAPS[(i + 1) % 7], CAPS[(i + 3) % 7]]))
        act = [c for c in caps if c not in active[pid]]
        for c in act:
            active[pid][c] = f"{pid}/{mid}"
        models[f"{pid}/{mid}"] = {
            "provider": pid,
            "id": mid,
            "upstream_id": f"{mid}-2024-08-06",
            "display_name": f"Model {i}",
            "capabilities": caps,
            "active": sorted(act),
            "supports": {"system_prompt": True, "streaming": True, "tools": i % 2 == 0},
            "defaults": {"temperature": 0.2} if i % 3 == 0 else {},
            "limits": {"context_window": 128000, "max_output_tokens": 16384},
            "pricing": {
                "input_per_mtok": 2.5,
                "output_per_mtok": 10.0,
                "cached_input_per_mtok": 1.25,
                "currency": "USD",
            },
            "released": "2024-08-06",
            "description": f"General purpose model number {i} for chat and tool use.",
            "docs_url": f"https://docs.example.com/models/{mid}",
            "labels": {"family": "bench", "size": "large"},
        }
    doc = {
        "apiVersion": "regctl/v1",
        "kind": "Manifest",
        "environment": "prod",
        "source": {"digest": "sha256:" + "0" * 64, "commit": None},
        "registry": {
            "name": "bench",
            "capabilities": sorted(CAPS),
            "secret_schemes": [],
            "policy": {"deprecation_warning_days": 30},
        },
        "providers": providers,
        "models": models,
        "active": active,
        "defaults": {"chat": "p1"},
        "fallbacks": {"chat": ["p2", "p3"]},
        "templates": {},
    }
    return dumps_pretty(seal(doc))


def whole_process(code: str, runs: int, env: dict[str, str]) -> list[float]:
    """Wall time of ``python -c code`` in fresh processes (stderr dropped)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21, help="runs per measurement (median used)")
    args = ap.parse_args()
    env = dict(os.environ)
    # Installed packages ship compiled bytecode; let the warm-up runs write it for ours too
    # (the stdlib in the baseline has it), or every run would compile regctl from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # litellm otherwise tries (and retries) to fetch its price map over the network.
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1_000, 10_000):
            path = Path(tmp) / f"manifest-{n}.json"
            path.write_text(make_manifest(n), encoding="utf-8")
            m = repr(str(path))
            client = (
                f"from regctl.client import Registry; Registry.load({m}).active_model('p1','chat')"
            )
            baseline = f"import json,hashlib; json.loads(open({m},'rb').read())"
            ours: list[float] = []
            base: list[float] = []
            whole_process(client, 2, env)  # warm the page cache and .pyc files
            for _ in range(args.runs):  # interleaved, so machine noise hits both alike
                ours += whole_process(client, 1, env)
                base += whole_process(baseline, 1, env)
            mo, mb = statistics.median(ours), statistics.median(base)
            size = path.stat().st_size / 1e6
            print(
                f"{n:>6} models ({size:.1f} MB): client {mo * 1000:.0f} ms,"
                f" json.loads {mb * 1000:.0f} ms, ratio {mo / mb:.2f}x (target <= 1.3x)"
            )
        from regctl.client import Registry

        reg = Registry.load(Path(tmp) / "manifest-10000.json")
        reg.active_model("p1", "chat")
        number = 200_000
        per_call = [
            t / number
            for t in timeit.repeat(
                lambda: reg.active_model("p1", "chat"), number=number, repeat=args.runs
            )
        ]
        lookup_ns = statistics.median(per_call) * 1e9
        print(f"active_model lookup: median {lookup_ns:.0f} ns (target <= 1 us)")
    try:
        import importlib.util

        has_litellm = importlib.util.find_spec("litellm") is not None
    except (ImportError, ValueError):
        has_litellm = False
    if has_litellm:
        lt = whole_process("import litellm", 3, env)
        lt_ms = statistics.median(lt) * 1000
        print(f"import litellm (whole process, reference): median {lt_ms:.0f} ms")
    else:
        print("import litellm: not installed")


if __name__ == "__main__":
    main()
