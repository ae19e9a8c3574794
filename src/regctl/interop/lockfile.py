"""Get a compiled manifest for an exporter: compile a registry folder or read a lock file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from regctl.base.canonical import compute_digest
from regctl.base.errors import ProblemsFound, RegctlError
from regctl.io import safeio

#: The largest lock file read (the client's manifest cap).
MAX_LOCK_BYTES = 256 * 1024 * 1024


def load_manifest(path: Path, *, env: str | None = None) -> dict[str, Any]:
    """The manifest for ``path``: a registry folder is compiled (for ``env``), a file is
    read as a ``manifest.lock.json`` and its digest checked (a tampered lock fails closed)."""
    path = Path(path)
    if path.is_dir():
        from regctl.pipeline.compile import compile_registry

        result = compile_registry(path, env=env)
        if result.manifest is None:
            errors = [p for p in result.problems if p.severity.value == "error"]
            for p in errors[:20]:
                print(f"{p.location}: error [{p.rule}] {p.message}", file=sys.stderr)
            raise ProblemsFound(len(errors))
        manifest: dict[str, Any] = result.manifest
        return manifest
    try:
        doc = json.loads(safeio.read_text(path, MAX_LOCK_BYTES))
    except safeio.SafeReadError as exc:
        raise RegctlError(f"{path}: cannot read lock file: it {exc}") from None
    except (ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise RegctlError(f"{path}: cannot read lock file: {reason}") from None
    if not isinstance(doc, dict) or doc.get("kind") != "Manifest":
        raise RegctlError(f"{path}: not a regctl manifest (kind must be Manifest)")
    if doc.get("digest") != compute_digest(doc):
        raise RegctlError(f"{path}: digest mismatch (the lock was edited after compile)")
    if env is not None and doc.get("environment") != env:
        held = doc.get("environment")
        shown = f"environment '{held}'" if held else "the base registry"
        raise RegctlError(f"{path}: lock is for {shown}, not environment '{env}'")
    return doc
