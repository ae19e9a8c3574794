"""Turn manifest bytes into verified data, failing closed.

The fast path avoids both a full ``json.loads`` of the file and a canonical
re-dump. The file is ``dumps_pretty(doc)``: every raw newline and the spaces
after it are indentation (JSON strings cannot hold a raw newline), and ``": ``
is the pretty key separator. Dropping the top-level ``digest`` line, the
top-level ``source`` block (provenance, which the digest does not cover), the
indentation and that one space yields the compact form whose sha256 is the
digest. If the hash matches, those derived bytes *are* the signed canonical
text, so everything is parsed from them, never from the file: whatever the
file held that the derivation glossed over cannot reach the caller. Because the
canonical text has sorted keys, the top-level ``models`` object (the bulk of a
large manifest) is located by its neighbours and parsed one entry at a time on
demand. When the derivation does not hash right (another writer's formatting,
or tampering), the slow path parses the file and re-dumps it canonically before
declaring a mismatch.
"""

from __future__ import annotations

import json
import re
from typing import Any

from regctl.base.i18n import msg
from regctl.client.errors import (
    DigestMismatch,
    InvalidManifest,
    UnsupportedVersion,
)

try:  # hashlib's own sha256 (OpenSSL's), without hashlib's table of every algorithm
    from _hashlib import openssl_sha256 as _sha256
except ImportError:  # pragma: no cover - a Python built without OpenSSL
    from hashlib import sha256 as _sha256

DIGEST_PREFIX = "sha256:"  # regctl.base.canonical.DIGEST_PREFIX (imported only when needed)

API_VERSION = "regctl/v1"
KIND = "Manifest"

_DIGEST_LINE = re.compile(rb'\n  "digest": "sha256:([0-9a-f]{64})",\n')
# The top-level provenance block: a key at two spaces is top-level only, and the block
# ends at the first line that closes an object at that indentation.
_SOURCE_BLOCK = re.compile(rb'\n(  "source": (?:null|\{\n(?:    [^\n]*\n)*?  \})),?\n')
_DIGEST_RE = r"sha256:[0-9a-f]{64}"  # compiled when an expected digest is given
# Structural in canonical compact text: an unescaped quote cannot sit inside a string.
_MODELS_START = ',"kind":"Manifest","models":'
_MODELS_END = '},"providers":{'
_TOP_TYPES: dict[str, type] = {
    "providers": dict,
    "models": dict,
    "active": dict,
    "defaults": dict,
    "fallbacks": dict,
    "templates": dict,
    "registry": dict,
}


class ManifestData:
    """Verified manifest content: the top level eagerly, model entries lazily.

    ``text[start:end]`` is the canonical text of the ``models`` object (kept as
    offsets into the one decoded string so that nothing large is copied).
    """

    __slots__ = ("_decoder", "_end", "_models", "_start", "_text", "digest", "top")

    def __init__(
        self,
        top: dict[str, Any],
        models: dict[str, Any] | None,
        text: str = "",
        start: int = 0,
        end: int = 0,
    ) -> None:
        self.top = top
        self.digest: str = top["digest"]
        self._models = models
        self._text = text
        self._start = start
        self._end = end
        self._decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)

    def model_entry(self, key: str) -> Any:
        """The raw entry for ``provider/model`` or ``None``; parses just that entry."""
        models = self._models
        if models is not None:
            return models.get(key)
        needle = json.dumps(key, ensure_ascii=False) + ":{"
        pos = self._text.find(needle, self._start, self._end)
        if pos < 0:
            return None
        try:
            entry, _ = self._decoder.raw_decode(self._text, pos + len(needle) - 1)
        except RecursionError:
            raise InvalidManifest(
                msg("manifest model {model} is nested too deeply", model=repr(key))
            ) from None
        except ValueError:
            raise InvalidManifest(
                msg("manifest model {model} is not valid JSON", model=repr(key))
            ) from None
        # Model keys hold a "/", nested keys of an entry never do; this check keeps
        # the lookup right even for a manifest that breaks that rule.
        if not isinstance(entry, dict) or f"{entry.get('provider')}/{entry.get('id')}" != key:
            return self.all_models().get(key)
        return entry

    def all_models(self) -> dict[str, Any]:
        """Every model entry (parsed once, then shared)."""
        models = self._models
        if models is None:
            try:
                models = loads(self._text[self._start : self._end])
            except RecursionError:
                raise InvalidManifest(msg("manifest 'models' is nested too deeply")) from None
            except ValueError:
                raise InvalidManifest(msg("manifest 'models' is not valid JSON")) from None
            if not isinstance(models, dict):
                raise InvalidManifest(msg("manifest 'models' is not an object"))
            # Keep the text: a concurrent model_entry() may still be reading it.
            self._models = models
        return models


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    # "1e400" is valid JSON text but no number a manifest can mean: it would be inf,
    # which the JavaScript reader (and any strict reader) cannot agree on.
    value = float(text)
    if value != value or value in (_INF, -_INF):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


_INF = float("inf")


def loads(text: str | bytes) -> Any:
    """Strict JSON: ``NaN``/``Infinity`` and numbers beyond a float's range are refused
    (the manifest is strict JSON, and every reader must read the same values)."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def parse_manifest(data: bytes, source: str, expect_digest: str | None = None) -> ManifestData:
    """Verify ``data`` (the manifest file bytes) and return its content.

    Raises :class:`InvalidManifest`, :class:`UnsupportedVersion` or
    :class:`DigestMismatch`; nothing unverified is ever returned.
    """
    if expect_digest is not None and not re.fullmatch(_DIGEST_RE, expect_digest):
        raise DigestMismatch(
            msg("expected digest {digest} is not 'sha256:<64 hex>'", digest=repr(expect_digest))
        )
    try:
        fast = _fast_path(data, source)
        result = fast if fast is not None else _slow_path(data, source)
    except RecursionError:
        raise InvalidManifest(
            msg("manifest {source} is nested too deeply", source=source)
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # Digest-valid but malformed content (the digest proves integrity, not shape):
        # JSON that is not an object where one is needed, NaN, integers over the limit.
        raise InvalidManifest(
            msg("manifest {source} is malformed ({kind})", source=source, kind=type(exc).__name__)
        ) from None
    if expect_digest is not None and result.digest != expect_digest:
        raise DigestMismatch(
            msg(
                "manifest {source} has digest {digest}, expected {expected}",
                source=source,
                digest=result.digest,
                expected=expect_digest,
            )
        )
    return result


def _fast_path(data: bytes, source: str) -> ManifestData | None:
    match = _DIGEST_LINE.search(data)
    if match is None:
        return None
    # Cut the digest line and the provenance block out in one copy (memoryview slices
    # joined): each cut keeps the line break that starts the next line.
    view = memoryview(data)
    pieces = [view[: match.start()]]
    rest = match.end() - 1
    source_block = _SOURCE_BLOCK.search(data, rest)
    provenance: Any = None
    if source_block is not None:
        pieces.append(view[rest : source_block.start()])
        rest = source_block.end() - 1
        provenance = _provenance(source_block.group(1))
    pieces.append(view[rest:])
    signed = b"".join(pieces)
    want = match.group(1)
    for derive in _DERIVATIONS[:]:
        compact = derive(signed)
        if _sha256(compact).hexdigest().encode("ascii") == want:
            break
    else:
        return None
    if derive is not _DERIVATIONS[0]:
        # a string with two spaces in a row: this source will likely have it again on
        # the next refresh, so try the exact derivation first from now on (either order
        # gives the same result; only the time differs)
        _DERIVATIONS.reverse()
    text = compact.decode("utf-8")  # hashed bytes came from UTF-8 text, so this holds
    digest = DIGEST_PREFIX + match.group(1).decode("ascii")
    start = text.find(_MODELS_START)
    end = text.find(_MODELS_END, start) if start >= 0 else -1
    if end >= 0:
        try:
            top = loads(text[:start] + ',"kind":"Manifest"}')
            top.update(loads("{" + text[end + 2 :]))
        except ValueError:
            top = None
        if isinstance(top, dict):
            top["digest"] = digest
            if provenance is not None:
                top["source"] = provenance
            _check_shape(top, source, models_known=True)
            return ManifestData(top, None, text, start + len(_MODELS_START), end + 1)
    doc = loads(text)
    if not isinstance(doc, dict):
        raise InvalidManifest(msg("manifest {source} is not a JSON object", source=source))
    doc["digest"] = digest
    if provenance is not None:
        doc["source"] = provenance
    _check_shape(doc, source)
    return ManifestData(doc, doc.pop("models"))


def _compact_fast(pretty: bytes) -> bytes:
    """The compact form of canonical pretty text, in three passes over the bytes.

    Indentation is always an even number of spaces, so removing every line break and
    every pair of spaces removes it; a string that holds two spaces in a row (or
    ``": ``) comes out changed, does not hash right, and :func:`_compact_by_lines` is
    tried. Half the time of splitting into lines in a fresh process: three large
    buffers instead of two small objects per line.
    """
    return pretty.replace(b"\n", b"").replace(b"  ", b"").replace(b'": ', b'":')


def _compact_by_lines(pretty: bytes) -> bytes:
    """The compact form of canonical pretty text: each line without its indentation."""
    return b"".join(map(bytes.lstrip, pretty.split(b"\n"))).replace(b'": ', b'":')


_DERIVATIONS = [_compact_fast, _compact_by_lines]
"""Tried in this order; the one that last had to be used second comes first."""


def _provenance(block: bytes) -> Any:
    """The ``source`` object of a manifest: provenance, outside the digest.

    It is informational (which registry files and commit produced the manifest), so it
    is kept only when it has the documented shape; anything else reads as absent.
    """
    try:
        value = json.loads(b"{" + block + b"}")["source"]
    except (ValueError, KeyError):
        return None
    return value if _is_provenance(value) else None


def _is_provenance(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    )


def _slow_path(data: bytes, source: str) -> ManifestData:
    try:
        doc = loads(data)
    except UnicodeDecodeError:
        raise InvalidManifest(msg("manifest {source} is not UTF-8 text", source=source)) from None
    except ValueError as exc:
        raise InvalidManifest(
            msg(
                "manifest {source} is not valid JSON (truncated?): {reason} at line {line}"
                " column {column}",
                source=source,
                reason=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            )
            if isinstance(exc, json.JSONDecodeError)
            else msg(
                "manifest {source} is not valid JSON: {reason}", source=source, reason=str(exc)
            )
        ) from None
    if not isinstance(doc, dict):
        raise InvalidManifest(msg("manifest {source} is not a JSON object", source=source))
    _check_version(doc, source)
    digest = doc.get("digest")
    if not isinstance(digest, str) or not digest.startswith(DIGEST_PREFIX):
        raise UnsupportedVersion(
            msg(
                "manifest {source} has no supported digest (want 'sha256:<hex>', got {digest})",
                source=source,
                digest=repr(digest),
            )
        )
    from regctl.base.canonical import compute_digest  # the slow path only

    actual = compute_digest(doc)
    if actual != digest:
        raise DigestMismatch(
            msg(
                "manifest {source} does not match its digest (tampered or hand-edited):"
                " recorded {digest}, content hashes to {actual}",
                source=source,
                digest=digest,
                actual=actual,
            )
        )
    if "source" in doc and not _is_provenance(doc["source"]):
        del doc["source"]  # provenance outside the digest: kept only in its documented shape
    _check_shape(doc, source)
    return ManifestData(doc, doc.pop("models"))


def _check_version(doc: dict[str, Any], source: str) -> None:
    version = doc.get("apiVersion")
    if version != API_VERSION:
        raise UnsupportedVersion(
            msg(
                "manifest {source} has apiVersion {version}; this client reads {supported}",
                source=source,
                version=repr(version),
                supported=repr(API_VERSION),
            )
        )
    if doc.get("kind") != KIND:
        raise UnsupportedVersion(
            msg(
                "manifest {source} has kind {kind}, not {supported}",
                source=source,
                kind=repr(doc.get("kind")),
                supported=repr(KIND),
            )
        )


def _check_shape(doc: dict[str, Any], source: str, models_known: bool = False) -> None:
    _check_version(doc, source)
    for key, typ in _TOP_TYPES.items():
        if models_known and key == "models":
            continue
        if not isinstance(doc.get(key), typ):
            raise InvalidManifest(
                msg(
                    "manifest {source}: '{key}' is missing or not an object", source=source, key=key
                )
            )
    for pid, caps in doc["active"].items():
        if not isinstance(caps, dict) or pid not in doc["providers"]:
            raise InvalidManifest(
                msg(
                    "manifest {source}: 'active' names unknown provider {provider}",
                    source=source,
                    provider=repr(pid),
                )
            )
