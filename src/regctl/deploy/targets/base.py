"""What every deploy target offers: read the deployed manifest, write a new one safely.

A target holds one lock manifest (docs/manifest.md). ``read()`` returns a :class:`Deployed`
snapshot; ``write()`` replaces the manifest only if the target still holds what
that snapshot saw (optimistic concurrency), so a concurrent change is refused
instead of silently overwritten. Targets that keep history (the file target)
also let ``rollback`` fetch earlier manifests by digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

from regctl.base.canonical import DIGEST_PREFIX, compute_digest
from regctl.base.errors import RegctlError


class TargetError(RegctlError):
    """The target cannot be read or written (unreachable, refused, holds garbage)."""


class TargetLocked(TargetError):
    """Another apply holds the target's lock right now."""


class TargetChanged(TargetError):
    """The target no longer holds what the plan was made against."""


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a manifest")


def sha256_bytes(raw: bytes) -> str:
    """``sha256:<hex>`` of raw bytes: the fingerprint of exactly what a target holds."""
    return DIGEST_PREFIX + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Deployed:
    """A snapshot of what a target holds.

    ``raw`` is ``None`` when nothing is deployed. ``version`` is the target's own
    version token when it has one (an HTTP ``ETag``). The manifest is parsed lazily
    and never trusted: ``problem`` says why it is not a usable manifest, and
    ``digest_ok`` whether its ``digest`` matches its content.
    """

    raw: bytes | None
    version: str | None = None

    @property
    def exists(self) -> bool:
        return self.raw is not None

    @property
    def fingerprint(self) -> str | None:
        """sha256 of the exact bytes: what a saved plan compares to detect staleness."""
        return None if self.raw is None else sha256_bytes(self.raw)

    @cached_property
    def _parsed(self) -> tuple[dict[str, Any] | None, str | None]:
        if self.raw is None:
            return None, None
        try:
            doc = json.loads(self.raw.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError:
            return None, "it is not UTF-8 text"
        except json.JSONDecodeError as exc:
            return None, f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        except RecursionError:
            return None, "it is nested too deeply to be a manifest"
        except ValueError as exc:  # NaN/Infinity, an integer over Python's digit limit
            return None, f"it is not strict JSON ({str(exc).splitlines()[0][:80]})"
        if not isinstance(doc, dict) or doc.get("kind") != "Manifest":
            return None, "it is JSON but not a regctl manifest (no kind: Manifest)"
        if doc.get("apiVersion") != "regctl/v1":
            return None, f"unsupported apiVersion {str(doc.get('apiVersion'))[:40]!r}"
        for key in ("providers", "models", "active"):
            if not isinstance(doc.get(key), dict):
                return None, f"its {key!r} is missing or not an object"
        return doc, None

    @property
    def manifest(self) -> dict[str, Any] | None:
        """The deployed manifest, or ``None`` when absent or unusable."""
        return self._parsed[0]

    @property
    def problem(self) -> str | None:
        """Why the deployed bytes are not a usable manifest (``None`` if they are or if absent)."""
        return self._parsed[1]

    @property
    def digest(self) -> str | None:
        """The digest the deployed manifest claims (not necessarily a correct one)."""
        doc = self.manifest
        value = doc.get("digest") if doc else None
        return value if isinstance(value, str) else None

    @cached_property
    def digest_ok(self) -> bool:
        """Whether the claimed digest is the digest of the content (no hand edit)."""
        doc = self.manifest
        try:
            return doc is not None and self.digest == compute_digest(doc)
        except (ValueError, RecursionError):  # cannot be re-dumped: not a manifest we wrote
            return False


@dataclass(frozen=True)
class HistoryEntry:
    """One manifest a target kept, newest entries last in :meth:`Target.history`."""

    digest: str
    applied_at: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the new digest and what it replaced."""

    digest: str
    previous_digest: str | None
    location: str


@runtime_checkable
class Target(Protocol):
    """A place a manifest is deployed to (see :mod:`regctl.deploy.targets`)."""

    uri: str
    supports_history: bool

    def read(self) -> Deployed:
        """Return what is deployed now (``Deployed(None)`` when nothing is)."""
        ...

    def write(self, text: str, digest: str, *, expected: Deployed) -> WriteResult:
        """Replace the manifest with ``text`` iff the target still holds ``expected``.

        Raises :class:`TargetChanged` when it does not, :class:`TargetLocked` when
        another writer is active, :class:`TargetError` for anything else. The
        target never holds a partial manifest, whatever happens to the process.
        """
        ...

    def history(self) -> list[HistoryEntry]:
        """Earlier manifests this target kept, oldest first (empty if unsupported)."""
        ...

    def history_digests(self) -> set[str]:
        """Digests of every manifest in the history (for drift detection)."""
        ...

    def load_history(self, digest: str) -> str:
        """The manifest text kept under ``digest`` (raises :class:`TargetError`)."""
        ...
