"""Canonical JSON and the manifest digest (docs/manifest.md). Standard library only.

Shared by the compiler and the runtime client so that both sides agree byte for
byte. The file form is pretty (two-space indent, sorted keys, trailing newline);
the digest is sha256 over the compact form of the document without ``digest`` and
without ``source``. ``source`` (the registry files' hash and the git commit) is
provenance, not content: a depth-1 CI checkout, a full clone and a plain copy of the
same registry give the same digest, so whether a target needs an apply never
depends on git metadata or on a comment edited in the YAML.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_PREFIX = "sha256:"
UNSIGNED_KEYS = frozenset({"digest", "source"})
"""Top-level keys the digest does not cover: the digest itself and provenance."""


def dumps_pretty(doc: Any) -> str:
    """The file form: sorted keys, two-space indent, non-ASCII kept, trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dumps_compact(doc: Any) -> str:
    """The hashed form: sorted keys, ``,``/``:`` separators, non-ASCII kept."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_digest(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the compact form of ``doc`` without ``digest`` and ``source``."""
    body = {k: v for k, v in doc.items() if k not in UNSIGNED_KEYS}
    return DIGEST_PREFIX + hashlib.sha256(dumps_compact(body).encode("utf-8")).hexdigest()


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with its ``digest`` set (a new dict; the input is not changed)."""
    sealed = {k: v for k, v in doc.items() if k != "digest"}
    sealed["digest"] = compute_digest(sealed)
    return sealed
