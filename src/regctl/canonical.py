"""Canonical JSON and the manifest digest (SPEC §4). Standard library only.

Shared by the compiler and the runtime client so that both sides agree byte for
byte. The file form is pretty (two-space indent, sorted keys, trailing newline);
the digest is sha256 over the compact form of the document without ``digest``
and without ``source.commit``: the commit is metadata that depends on how the
repository was checked out (a depth-1 clone sees a different "last commit"), so
it must not change the digest and with it every deploy decision.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_PREFIX = "sha256:"


def dumps_pretty(doc: Any) -> str:
    """The file form: sorted keys, two-space indent, non-ASCII kept, trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dumps_compact(doc: Any) -> str:
    """The hashed form: sorted keys, ``,``/``:`` separators, non-ASCII kept."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_body(doc: dict[str, Any]) -> dict[str, Any]:
    """What the digest covers: ``doc`` without ``digest`` and without ``source.commit``."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    source = body.get("source")
    if isinstance(source, dict) and "commit" in source:
        body["source"] = {k: v for k, v in source.items() if k != "commit"}
    return body


def compute_digest(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the compact form of :func:`digest_body` of ``doc``."""
    body = digest_body(doc)
    return DIGEST_PREFIX + hashlib.sha256(dumps_compact(body).encode("utf-8")).hexdigest()


def digest_matches(doc: dict[str, Any]) -> bool:
    """Whether ``doc``'s own ``digest`` is the digest of its content.

    Manifests sealed before ``source.commit`` left the digest (regctl 0.1) hashed the
    whole document without ``digest``; they are still accepted, and that older digest
    covers strictly more, so accepting it verifies no less.
    """
    claimed = doc.get("digest")
    if not isinstance(claimed, str):
        return False
    if claimed == compute_digest(doc):
        return True
    legacy = {k: v for k, v in doc.items() if k != "digest"}
    return claimed == DIGEST_PREFIX + hashlib.sha256(dumps_compact(legacy).encode()).hexdigest()


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with its ``digest`` set (a new dict; the input is not changed)."""
    sealed = {k: v for k, v in doc.items() if k != "digest"}
    sealed["digest"] = compute_digest(sealed)
    return sealed
