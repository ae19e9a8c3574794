"""The compiler's lock text and digest, fast, in the bytes :mod:`regctl.base.canonical` writes.

Writing a lock cost about 18 µs per model in JSON alone: the pretty file form goes
through json's indenting encoder (pure Python, or canonical's own loop), and the compact
form the digest covers through json's C encoder with sorted keys (6 µs). orjson writes
both forms of an entry in about 1 µs and, for what a lock holds, the same bytes: the same
escapes, separators, sorting by code point and shortest float spellings, except that it
spells exponents otherwise (``0.00001`` for Python's ``1e-05``, ``1e16`` for ``1e+16``)
and writes ``null`` for NaN and infinities. So an entry holding a float outside
[1e-4, 1e16) other than zero (prices and temperatures are inside), or that orjson refuses
(an integer beyond 64 bits, a subclass, a date), is written by
:mod:`regctl.base.canonical` as before; without orjson everything is.

Only the compiler uses this. The runtime client verifies digests with
:mod:`regctl.base.canonical` (standard library only), and a test holds the two to the
same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from regctl.base import canonical

try:  # an optional speed-up: the output is the same without it
    import orjson
except ImportError:  # pragma: no cover - depends on the installation
    orjson = None  # type: ignore[assignment]

_PLAIN = 0
if orjson is not None:
    _PLAIN = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_SUBCLASS
    )
_INDENTED = _PLAIN | (orjson.OPT_INDENT_2 if orjson is not None else 0)


def _floats_alike(value: Any) -> bool:
    """Whether every float in ``value`` is one both write alike: zero, or from 1e-4 to 1e16
    (outside it Python writes an exponent, ``1e-05``; NaN and infinities fail too)."""
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        v = pop()
        t = type(v)
        if t is dict:
            extend(v.values())
        elif t is list or t is tuple:
            extend(v)
        elif t is float and v != 0.0 and not 1e-4 <= abs(v) < 1e16:
            return False
    return True


def _orjson(value: Any, option: int) -> bytes | None:
    """orjson's bytes for ``value`` when they are json's, else ``None``."""
    if orjson is None or not _floats_alike(value):
        return None
    try:
        return orjson.dumps(value, option=option)
    except TypeError:  # orjson.JSONEncodeError: a type or size it does not write like json
        return None


def pretty(value: Any, indent: int) -> str:
    """``value`` in the file form, at ``indent`` spaces (as canonical writes it there)."""
    data = _orjson(value, _INDENTED)
    if data is None:
        return canonical._pretty_text(value, indent)
    text = data.decode("utf-8")
    # a string never holds a raw line break (JSON escapes it): every one is layout
    return text.replace("\n", "\n" + " " * indent) if indent else text


def iter_pretty(doc: dict[str, Any]) -> Iterator[str]:
    """:func:`regctl.base.canonical.iter_pretty`, the same pieces, written faster."""
    return canonical._iter_pretty(doc, pretty, str)


def pretty_bytes(value: Any, indent: int) -> bytes:
    """:func:`pretty` as UTF-8 bytes (orjson's own, not decoded and encoded again)."""
    data = _orjson(value, _INDENTED)
    if data is None:
        return canonical._pretty_text(value, indent).encode("utf-8")
    return data.replace(b"\n", b"\n" + b" " * indent) if indent else data


def iter_pretty_bytes(doc: dict[str, Any]) -> Iterator[bytes]:
    """:func:`iter_pretty` as UTF-8 bytes, for writing the lock file: the same bytes as
    ``"".join(iter_pretty(doc)).encode("utf-8")`` without a round trip through ``str``."""
    return canonical._iter_pretty(doc, pretty_bytes, str.encode)


def compute_digest(doc: dict[str, Any]) -> str:
    """:func:`regctl.base.canonical.compute_digest`, computed faster."""
    return canonical._digest(doc, _compact)


def _compact(value: Any) -> bytes:
    # the compact form of one piece (canonical's layout of the pieces, in canonical._digest)
    data = _orjson(value, _PLAIN)
    return data if data is not None else canonical._compact_bytes(value)


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """:func:`regctl.base.canonical.seal`, with the digest computed faster."""
    sealed = {k: v for k, v in doc.items() if k != "digest"}
    sealed["digest"] = compute_digest(sealed)
    return sealed
