"""Stage 5: compile one environment of a registry into the lock manifest (docs/manifest.md).

The output is a pure function of the registry's content: no clocks, absolute
paths, file order or locale reach it. See ``docs/manifest.md`` for the shape.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regctl.base.errors import UsageError
from regctl.base.i18n import msg
from regctl.io import safeio
from regctl.io.fsutil import atomic_write
from regctl.messages.problems import Problem
from regctl.pipeline.lockjson import iter_pretty, iter_pretty_bytes, seal
from regctl.pipeline.parse import Parsed, ParsedModel
from regctl.pipeline.registry import ProviderEntry, View
from regctl.pipeline.source import LoadResult
from regctl.pipeline.validate import ValidationReport, gc_paused, validate
from regctl.pipeline.vocab import API_VERSION, display_default


@dataclass
class CompileResult:
    """A compiled manifest (``None`` when the registry has errors) and the problems found.

    The manifest's text (:attr:`text`) is made when first asked for; :meth:`pieces` and
    :func:`write_lock` stream it instead, so writing a 50,000-model lock never holds the
    whole text in memory beside the manifest.
    """

    manifest: dict[str, Any] | None
    problems: list[Problem]
    report: ValidationReport

    @functools.cached_property
    def text(self) -> str:
        """The lock file's text (``""`` when the registry has errors)."""
        if self.manifest is None:
            return ""
        with gc_paused():
            return "".join(iter_pretty(self.manifest))

    def pieces(self) -> Iterator[str]:
        """The lock file's text in pieces of about one model each (see :attr:`text`)."""
        if self.manifest is None:
            return iter(())
        return iter_pretty(self.manifest)

    @property
    def digest(self) -> str:
        return str(self.manifest["digest"]) if self.manifest else ""

    @property
    def ok(self) -> bool:
        return self.manifest is not None


def compile_registry(
    root: str | Path,
    *,
    env: str | None = None,
    as_of: dt.date | None = None,
    overrides: Mapping[Path, bytes] | None = None,
) -> CompileResult:
    """Validate ``root`` for ``env`` and, if it has no errors, build its manifest.

    ``overrides`` (resolved path -> bytes) compiles those files with that content instead
    of what is on disk (``activate --dry-run --compile``: the lock the edit would give).
    """
    report = validate(root, as_of=as_of, envs=[] if env is None else [env], overrides=overrides)
    if env is not None and env not in report.registry.environments:
        known = ", ".join(sorted(report.registry.environments)) or msg("none")
        raise UsageError(msg("unknown environment '{env}' (known: {known})", env=env, known=known))
    if not report.ok:
        return CompileResult(None, report.problems, report)
    with gc_paused():
        manifest = build_manifest(report.views[env], report.load)
    return CompileResult(manifest, report.problems, report)


def build_manifest(view: View, load: LoadResult) -> dict[str, Any]:
    """The sealed manifest document for one effective registry."""
    providers = {pid: _provider(e) for pid, e in sorted(view.providers.items())}
    models: dict[str, Any] = {}
    active: dict[str, dict[str, str]] = {}
    for pid, by_id in sorted(view.models.items()):
        enabled = pid in view.providers and view.providers[pid].obj.enabled
        for mid, m in sorted(by_id.items()):
            key = f"{pid}/{mid}"
            models[key] = _model(m)
            if enabled:
                for cap in models[key]["active"]:
                    active.setdefault(pid, {})[cap] = key
    reg = view.registry_doc
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Manifest",
        "environment": view.env,
        "source": {"digest": source_digest(load), "commit": git_commit(load.root)},
        "registry": {
            "name": reg.name if reg else None,
            "capabilities": sorted(view.capabilities),
            "secret_schemes": sorted(view.secret_schemes),
            "policy": _policy(reg),
        },
        "providers": providers,
        "models": models,
        "active": active,
        "defaults": dict(sorted(view.defaults.items())),
        "fallbacks": dict(sorted(view.fallbacks.items())),
        "templates": {tid: _template(t) for tid, t in sorted(view.templates.items())},
    }
    if doc["registry"]["name"] is None:
        del doc["registry"]["name"]
    if reg is not None and reg.budgets:
        doc["registry"]["budgets"] = [_fields(b) for b in reg.budgets]
    return seal(doc)


def _policy(reg: Any) -> dict[str, Any]:
    """The policy the clients need; failover and limits only when the registry sets them
    (the client's defaults are the schema's, so an absent block means the same)."""
    if reg is None:
        return {"deprecation_warning_days": 30}
    p = reg.policy
    out: dict[str, Any] = {"deprecation_warning_days": p.deprecation_warning_days}
    if p.failover is not None:
        out["failover"] = p.failover.model_dump()
    if p.limits is not None:
        out["limits"] = p.limits.model_dump()
    return out


def _drop_empty(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    for k in keys:
        v = d.get(k)
        if v is None or (not v and isinstance(v, (dict, list))):
            d.pop(k, None)
    return d


def _fields(obj: Any) -> dict[str, Any]:
    """The set fields of a small nested model (``model_dump`` is ~5x slower per call here)."""
    if obj is None:
        return {}
    return {k: v for k, v in obj.__dict__.items() if v is not None}


def _display(name: str | dict[str, str]) -> dict[str, Any]:
    """``display_name`` stays one string for every reader; a per-language map is added
    as ``display_names`` (the client's ``display_name_for(locale)`` picks from it)."""
    if isinstance(name, str):
        return {"display_name": name}
    return {"display_name": display_default(name), "display_names": dict(sorted(name.items()))}


def _provider(e: ProviderEntry) -> dict[str, Any]:
    p = e.obj
    out: dict[str, Any] = {
        "id": p.id,
        **_display(p.display_name),
        "api": p.api,
        "base_url": p.effective_base_url(),
        "enabled": p.enabled,
        "credentials": list(p.credentials),
        "allow_shared_credentials": p.allow_shared_credentials,
        "shared_key_groups": p.shared_key_groups,
        "defaults": _fields(p.defaults),
        "rate_limits": _fields(p.rate_limits),
        "region": p.region,
        "description": p.description,
        "docs_url": p.docs_url,
        "labels": dict(sorted(p.labels.items())),
    }
    if out["shared_key_groups"] is None:  # [] stays: it means "no group", not "every caller"
        del out["shared_key_groups"]
    return _drop_empty(
        out, "base_url", "rate_limits", "region", "description", "docs_url", "labels"
    )


def _model(m: ParsedModel) -> dict[str, Any]:
    b = m.obj
    pricing = _fields(b.pricing)
    for k, v in pricing.items():
        if type(v) is int:  # YAML `10` and `10.0` are the same price: one canonical form
            pricing[k] = float(v)
    out: dict[str, Any] = {
        "provider": m.provider,
        "id": b.id,
        "upstream_id": b.upstream_id or b.id,
        **_display(b.display_name),
        "capabilities": list(b.capabilities),
        "active": sorted(set(b.active_for()) & set(b.capabilities)),
        "supports": _fields(b.supports),
        "defaults": _fields(b.defaults),
        "limits": _fields(b.limits),
        "pricing": pricing,
        "rate_limits": _fields(b.rate_limits),
        "released": b.released.isoformat() if b.released else None,
        "deprecated": b.deprecated.isoformat() if b.deprecated else None,
        "description": b.description,
        "docs_url": b.docs_url,
        "labels": dict(sorted(b.labels.items())),
    }
    return _drop_empty(
        out,
        "limits",
        "pricing",
        "rate_limits",
        "released",
        "deprecated",
        "description",
        "docs_url",
        "labels",
    )


def _template(t: Parsed) -> dict[str, Any]:
    obj: Any = t.obj
    if not hasattr(obj, "model_dump_json"):  # checked by the fast path: pydantic dumps it
        from regctl.pipeline.schema import TemplateDoc

        obj = TemplateDoc.model_validate(t.raw)
    data: dict[str, Any] = obj.model_dump(mode="json", exclude_none=True)
    data.pop("apiVersion", None)
    data.pop("kind", None)
    for var in data.get("variables", {}).values():
        var.pop("description", None)
    return data


def source_digest(load: LoadResult) -> str:
    """sha256 over the registry files' relative paths and contents (order-independent)."""
    h = hashlib.sha256()
    for f in sorted(load.files, key=lambda f: f.rel):
        h.update(f"{f.rel}\0{f.sha256}\n".encode())
    return "sha256:" + h.hexdigest()


def _maybe_in_git(folder: Path) -> bool:
    """False only when no ``.git`` is in ``folder`` or above it and git is not pointed
    elsewhere by the environment (then git would answer "not a repository")."""
    if any(k in os.environ for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES")):
        return True
    try:
        here = folder.resolve()
    except (OSError, RuntimeError):
        return True
    return any((p / ".git").exists() for p in (here, *here.parents))


def git_commit(root: Path) -> str | None:
    """The last commit that touched the registry folder, if its files are clean; else None.

    "Last commit touching the registry" rather than HEAD, so that unrelated
    commits (or the commit that adds the lock itself) do not make a lock stale.
    In a shallow clone (CI's depth-1 checkout) the oldest commit held is a graft
    that "touches" every file; when the search ends there the answer is unknown, so
    None: fetch more history first (the GitHub Action deepens until it finds the
    commit; ``actions/checkout`` with ``fetch-depth: 0`` fetches all of it).
    """
    folder = root if root.is_dir() else root.parent
    if not _maybe_in_git(folder):
        return None  # no repository around it: no need to start git twice to learn that
    status = _git(folder, "status", "--porcelain", "--", ".")
    if status is None or status.strip():
        return None
    sha = (_git(folder, "log", "-1", "--format=%H", "--", ".") or "").strip()
    if len(sha) != 40:
        return None
    if sha in shallow_boundary(folder):
        return None
    return sha


def shallow_boundary(folder: Path) -> set[str]:
    """The commits a shallow clone holds without their parents (empty for a full clone)."""
    where = (_git(folder, "rev-parse", "--git-path", "shallow") or "").strip()
    if not where:
        return set()
    path = Path(where) if Path(where).is_absolute() else folder / where
    try:  # git's own file, still read through the layer (regular, capped)
        return set(safeio.read_text(path, 1 << 24).split())
    except (OSError, safeio.SafeReadError):
        return set()


def _git(folder: Path, *args: str) -> str | None:
    """``git ARGS`` in ``folder``: its output, or None when git fails or is missing."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def write_lock(result: CompileResult, path: str | Path) -> None:
    """Write the compiled manifest atomically (temp file, fsync, rename)."""
    if result.manifest is None:
        raise ValueError("cannot write the lock of a registry with errors")
    atomic_write(path, iter_pretty_bytes(result.manifest))  # streamed, one model a piece


#: The largest existing lock read to compare (the client's manifest cap).
MAX_LOCK_BYTES = 256 * 1024 * 1024


def is_stale(lock_path: str | Path, result: CompileResult) -> bool:
    """Whether the lock on disk differs from ``result`` in content (``source.commit`` aside)."""
    try:
        existing = json.loads(safeio.read_text(lock_path, MAX_LOCK_BYTES))
    except (safeio.SafeReadError, ValueError, RecursionError):
        return True  # unreadable or not JSON: rewrite it
    if not isinstance(existing, dict) or result.manifest is None:
        return True
    return _content(existing) != _content(result.manifest)


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k != "digest"}
    source = body.get("source")
    if isinstance(source, dict):
        body["source"] = {k: v for k, v in source.items() if k != "commit"}
    return body
