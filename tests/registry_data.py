"""Plain-Python reading of registry folders for the data tests (no regctl import).

The example-registry test and the bench generator test both need the same
things: every document of a folder, the providers with an environment's overlay
applied (merged by id, docs/reference.md), and which models are active per
provider+capability. The real rules live in ``regctl.pipeline.rules``; this is a small,
independent reading used to check data files.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]


def load_docs(root: Path) -> list[tuple[Path, Doc]]:
    """Every YAML document under ``root``, with its file, in file-name order."""
    out = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"}):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            assert isinstance(doc, dict), f"{path}: document is not a mapping"
            out.append((path, doc))
    return out


def of_kind(docs: list[tuple[Path, Doc]], kind: str) -> list[Doc]:
    """The documents of one kind."""
    return [doc for _, doc in docs if doc.get("kind") == kind]


def active_caps(model: Doc) -> set[str]:
    """Capabilities for which a model is active (``active``: bool or list)."""
    active = model.get("active", False)
    if active is True:
        return set(model["capabilities"])
    if isinstance(active, list):
        return set(active)
    return set()


def _merge(base: Doc, overlay: Doc) -> Doc:
    """Merge mappings recursively; scalars and lists in the overlay replace."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def providers_for(docs: list[tuple[Path, Doc]], env_id: str | None) -> dict[str, Doc]:
    """The base providers by id, with environment ``env_id`` (if any) overlaid by id."""
    providers = {p["id"]: copy.deepcopy(p) for p in of_kind(docs, "Provider")}
    if env_id is None:
        return providers
    env = next(e for e in of_kind(docs, "Environment") if e["id"] == env_id)
    for pid, overlay in (env.get("providers") or {}).items():
        assert pid in providers, f"environment {env_id}: unknown provider {pid!r}"
        fields = {k: v for k, v in overlay.items() if k != "models"}
        provider = _merge(providers[pid], fields)
        models = {m["id"]: m for m in provider.get("models", [])}
        for mid, model_overlay in (overlay.get("models") or {}).items():
            assert mid in models, f"environment {env_id}: unknown model {pid}/{mid}"
            models[mid] = _merge(models[mid], model_overlay)
        provider["models"] = list(models.values())
        providers[pid] = provider
    return providers


def active_index(providers: dict[str, Doc]) -> dict[str, dict[str, list[str]]]:
    """provider -> every capability its models offer -> ids of the models active for it."""
    index: dict[str, dict[str, list[str]]] = {}
    for pid, provider in providers.items():
        caps: dict[str, list[str]] = {}
        for model in provider.get("models", []):
            for cap in model["capabilities"]:
                caps.setdefault(cap, [])
            for cap in active_caps(model):
                caps[cap].append(model["id"])
        index[pid] = caps
    return index


def one_active_violations(docs: list[tuple[Path, Doc]]) -> list[str]:
    """Every provider+capability without exactly one active model, in base and each env."""
    envs = [None, *(e["id"] for e in of_kind(docs, "Environment"))]
    bad = []
    for env_id in envs:
        for pid, caps in active_index(providers_for(docs, env_id)).items():
            for cap, ids in caps.items():
                if len(ids) != 1:
                    bad.append(f"{env_id or 'base'}: {pid}/{cap} active: {ids}")
    return bad
