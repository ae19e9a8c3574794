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
import io
import json
from collections.abc import Callable, Iterator
from typing import Any, AnyStr

DIGEST_PREFIX = "sha256:"
UNSIGNED_KEYS = frozenset({"digest", "source"})
"""Top-level keys the digest does not cover: the digest itself and provenance."""


def dumps_pretty(doc: Any) -> str:
    """The file form: sorted keys, two-space indent, non-ASCII kept, trailing newline.

    The same bytes as ``json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)``
    (a test keeps them equal), with a lower memory peak at 50,000 models.
    """
    buf = io.StringIO()  # grows one buffer: no list of pieces beside the joined text
    _pretty(doc, 0, buf.write)
    buf.write("\n")
    return buf.getvalue()


def iter_pretty(doc: dict[str, Any]) -> Iterator[str]:
    """:func:`dumps_pretty` of a mapping in pieces of about one entry each, in order.

    For writing a large manifest to a file or pipe without holding its whole text (and
    the pieces it is joined from) in memory: ``"".join(iter_pretty(d)) == dumps_pretty(d)``.
    """
    return _iter_pretty(doc, _pretty_text, str)


def _iter_pretty(
    doc: dict[str, Any],
    pretty: Callable[[Any, int], AnyStr],
    lit: Callable[[str], AnyStr],
) -> Iterator[AnyStr]:
    """The pieces of :func:`iter_pretty`: ``pretty(value, indent)`` writes each value and
    ``lit`` turns the layout between them into the same kind (``str``, or ``str.encode``
    for bytes). :mod:`regctl.pipeline.lockjson` passes a faster value writer: one layout,
    so both write the same bytes."""
    if not doc:
        yield lit("{}\n")
        return
    sep = "{\n  "
    for key in sorted(doc):
        value = doc[key]
        head = sep + _encode_str(key) + ": "
        if type(value) is dict and value:
            # one piece per entry of a second-level mapping (one model, one provider)
            inner = "{\n    "
            for sub in sorted(value):
                yield lit(head + inner + _encode_str(sub) + ": ") + pretty(value[sub], 4)
                head, inner = "", ",\n    "
            yield lit("\n  }")
        else:
            yield lit(head) + pretty(value, 2)
        sep = ",\n  "
    yield lit("\n}\n")


def _pretty_text(value: Any, indent: int) -> str:
    """:func:`_pretty` of one value as one string."""
    piece: list[str] = []
    _pretty(value, indent, piece.append)
    return "".join(piece)


_SPLIT = 64  # mappings with more entries than this are hashed entry by entry
_encode_str = json.encoder.encode_basestring  # the C version, as json.dumps uses


_NOT_SCALAR = (dict, list, tuple)


def _leaf(value: Any) -> str:
    """The JSON text of a value that is not a container; json.dumps' spellings."""
    if type(value) is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is float:
        return _float(value)
    return int.__repr__(value)  # an int (or subclass), as json.dumps writes it


def _pretty(value: Any, indent: int, out: Callable[[str], object]) -> None:
    """Append ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` at ``indent``.

    Written out rather than calling the json module per entry: with ``indent`` json's
    encoder is pure Python too, and each call leaves a cycle of closures that the
    paused garbage collector (:func:`regctl.pipeline.validate.gc_paused`) never frees.
    Strings and integers inside a container are written in the container's loop (no call
    per value): this runs for every field of every model of a lock.
    """
    kind = type(value)
    if kind not in _NOT_SCALAR:
        out(_leaf(value))
        return
    if not value:
        out("{}" if kind is dict else "[]")
        return
    pad = "\n" + " " * (indent + 2)
    enc = _encode_str
    if kind is dict:
        sep = "{" + pad
        for key in sorted(value):
            item = value[key]
            t = type(item)
            if t is str:
                out(sep + enc(key) + ": " + enc(item))
            elif t not in _NOT_SCALAR:
                out(sep + enc(key) + ": " + _leaf(item))
            else:
                out(sep + enc(key) + ": ")
                if indent < 4:  # one string per manifest entry: fewer, larger pieces to join
                    piece: list[str] = []
                    _pretty(item, indent + 2, piece.append)
                    out("".join(piece))
                else:
                    _pretty(item, indent + 2, out)
            sep = "," + pad
        out("\n" + " " * indent + "}")
    else:
        sep = "[" + pad
        for item in value:
            t = type(item)
            if t is str:
                out(sep + enc(item))
            elif t not in _NOT_SCALAR:
                out(sep + _leaf(item))
            else:
                out(sep)
                _pretty(item, indent + 2, out)
            sep = "," + pad
        out("\n" + " " * indent + "]")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def dumps_compact(doc: Any) -> str:
    """The hashed form: sorted keys, ``,``/``:`` separators, non-ASCII kept."""
    return _compact(doc)


# json.dumps with these arguments builds a new encoder per call; the lock is hashed one
# entry at a time (10,000 calls for 10,000 models), so one encoder is kept.
_compact = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True
).encode


def compute_digest(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the compact form of ``doc`` without ``digest`` and ``source``."""
    return _digest(doc, _compact_bytes)


def _digest(doc: dict[str, Any], compact: Callable[[Any], bytes]) -> str:
    """:func:`compute_digest` with ``compact`` writing each piece's compact form
    (:mod:`regctl.pipeline.lockjson` passes a faster one that writes the same bytes)."""
    body = {k: v for k, v in doc.items() if k not in UNSIGNED_KEYS}
    h = hashlib.sha256()
    _hash_compact(body, h, compact, top=True)
    return DIGEST_PREFIX + h.hexdigest()


def _compact_bytes(value: Any) -> bytes:
    return dumps_compact(value).encode("utf-8")


def _hash_compact(value: Any, h: Any, compact: Callable[[Any], bytes], top: bool = False) -> None:
    """Feed ``dumps_compact(value)`` to ``h`` piece by piece (large mappings per entry)."""
    if type(value) is dict and value and (top or len(value) > _SPLIT):
        sep = "{"
        for key in sorted(value):
            h.update((sep + _encode_str(key) + ":").encode("utf-8"))
            _hash_compact(value[key], h, compact)
            sep = ","
        h.update(b"}")
        return
    h.update(compact(value))


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with its ``digest`` set (a new dict; the input is not changed)."""
    sealed = {k: v for k, v in doc.items() if k != "digest"}
    sealed["digest"] = compute_digest(sealed)
    return sealed
