"""Which YAML reader for the registry: the measurements behind regctl.pipeline.fastyaml.

    python bench/bench_parsers.py [--models 10000] [--repeat 3]

On one generated registry, in this process (best of ``--repeat``), from file bytes to
Python values a later stage can use:

- ``yaml.load_all(CSafeLoader)``: the bare parse the compile benchmark compares with;
- regctl's libyaml path (values with positions, duplicate keys, alias bounds);
- regctl's fast reader (:mod:`regctl.pipeline.fastyaml`);
- rapidyaml (PyPI ``rapidyaml``, when installed): its C++ parse alone, its parse plus a
  walk of its tree from Python (what building our values needs: each node's type, key,
  value and quoting), and its parse plus JSON emission plus ``json.loads`` (fast, but a
  plain ``yes`` and a quoted ``"yes"`` both come out as the string ``"yes"``, so YAML
  1.1's types cannot be decided from it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
import yaml  # noqa: E402
from gen_registry import generate  # noqa: E402

from regctl.pipeline import fastyaml, libyaml_read, source  # noqa: E402
from regctl.pipeline.positions import Origin  # noqa: E402


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ryml_cases(datas: list[bytes]) -> dict[str, Callable[[], Any]]:
    try:
        import ryml  # type: ignore[import-not-found]
    except ImportError:
        return {}

    def walk(tree: Any, node: int) -> Any:
        kind = tree.type(node)
        if kind & ryml.MAP:
            out = {}
            child = tree.first_child(node)
            while child != ryml.NONE and child < tree.size():
                out[bytes(tree.key(child)).decode()] = walk(tree, child)
                child = tree.next_sibling(child)
            return out
        if kind & ryml.SEQ:
            items = []
            child = tree.first_child(node)
            while child != ryml.NONE and child < tree.size():
                items.append(walk(tree, child))
                child = tree.next_sibling(child)
            return items
        tree.is_val_quoted(node)  # needed to decide YAML 1.1 types
        return bytes(tree.val(node)).decode()

    def parse_only() -> None:
        for d in datas:
            ryml.parse_in_arena(d)

    def parse_walk() -> None:
        for d in datas:
            tree = ryml.parse_in_arena(d)
            root = tree.root_id()
            walk(tree, tree.first_child(root) if tree.is_stream(root) else root)

    def parse_json() -> None:
        for d in datas:
            tree = ryml.parse_in_arena(d)
            json.loads(ryml.emit_json_malloc(tree, tree.root_id()))

    return {
        "rapidyaml parse only (C++ tree)": parse_only,
        "rapidyaml parse + tree walk from Python": parse_walk,
        "rapidyaml parse + emit JSON + json.loads": parse_json,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "r"
        generate(root, max(10, args.models // 500), args.models)
        files = sorted(root.rglob("*.yaml"))
        datas = [f.read_bytes() for f in files]
        texts = [d.decode("utf-8") for d in datas]
        cases: dict[str, Callable[[], Any]] = {
            "yaml.load_all(CSafeLoader) (bare)": lambda: [
                list(yaml.load_all(d, Loader=yaml.CSafeLoader)) for d in datas
            ],
            "regctl libyaml path": lambda: [
                libyaml_read.parse(d, "f", t) for d, t in zip(datas, texts, strict=True)
            ],
            "regctl fast reader": lambda: [
                fastyaml.parse(t, Origin("f", d, source.collection_nodes), "f")
                for d, t in zip(datas, texts, strict=True)
            ],
            **ryml_cases(datas),
        }
        assert all(
            fastyaml.parse(t, Origin("f", d, source.collection_nodes), "f") is not None
            for d, t in zip(datas, texts, strict=True)
        ), "the fast reader declined a generated file"
        results = {name: best(fn, args.repeat) for name, fn in cases.items()}
    bare = results["yaml.load_all(CSafeLoader) (bare)"]
    print(f"{args.models} models, {len(files)} files; load average {os.getloadavg()[0]:.2f}")
    for name, seconds in results.items():
        print(f"  {name:44} {seconds:7.3f} s  {seconds / bare:5.2f}x bare")


if __name__ == "__main__":
    main()
