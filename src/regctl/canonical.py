"""Canonical JSON and the manifest digest (SPEC §4). Standard library only.

Shared by the compiler and the runtime client so that both sides agree byte for
byte. The file form is pretty (two-space indent, sorted keys, trailing newline);
the digest is sha256 over the compact form of the document without ``digest``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_PREFIX = "sha256:"


def dumps_pretty(doc: Any) -> str:
    """The file form: sorted keys, two-space indent, non-ASCII kept, trailing newline.

    The same bytes as ``json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)``,
    but large mappings are dumped entry by entry: with ``indent`` the encoder is pure
    Python and holds every token of the document as a separate string until the final
    join, which was the peak memory of a 50,000-model compile.
    """
    parts: list[str] = []
    _pretty(doc, 0, parts)
    parts.append("\n")
    return "".join(parts)


_SPLIT = 64  # mappings with more entries than this are dumped entry by entry


def _pretty(value: Any, indent: int, out: list[str]) -> None:
    if type(value) is dict and value and (indent == 0 or len(value) > _SPLIT):
        pad = "\n" + " " * (indent + 2)
        sep = "{" + pad
        for key in sorted(value):
            out.append(sep + json.dumps(key, ensure_ascii=False) + ": ")
            _pretty(value[key], indent + 2, out)
            sep = "," + pad
        out.append("\n" + " " * indent + "}")
        return
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    # json escapes newlines inside strings, so every newline here is between tokens
    out.append(text.replace("\n", "\n" + " " * indent) if indent else text)


def dumps_compact(doc: Any) -> str:
    """The hashed form: sorted keys, ``,``/``:`` separators, non-ASCII kept."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_digest(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the compact form of ``doc`` without its ``digest`` key."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    h = hashlib.sha256()
    _hash_compact(body, h, top=True)
    return DIGEST_PREFIX + h.hexdigest()


def _hash_compact(value: Any, h: Any, top: bool = False) -> None:
    """Feed ``dumps_compact(value)`` to ``h`` piece by piece (large mappings per entry)."""
    if type(value) is dict and value and (top or len(value) > _SPLIT):
        sep = "{"
        for key in sorted(value):
            h.update((sep + json.dumps(key, ensure_ascii=False) + ":").encode("utf-8"))
            _hash_compact(value[key], h)
            sep = ","
        h.update(b"}")
        return
    h.update(dumps_compact(value).encode("utf-8"))


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with its ``digest`` set (a new dict; the input is not changed)."""
    sealed = {k: v for k, v in doc.items() if k != "digest"}
    sealed["digest"] = compute_digest(sealed)
    return sealed
