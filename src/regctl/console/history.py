"""The applied manifests of a deploy target, as the changes page and model pages use them.

The list (digest, time, commit) comes from the target's history log and a short read of
each kept manifest (its ``source``, which the digest does not cover, and ``environment``),
so it shows at once however long the history. A manifest is parsed and verified against
its digest only when a diff or a price history needs it; one that does not match is
reported as damaged, never shown as if it were what was applied.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regctl.base.canonical import compute_digest
from regctl.base.errors import RegctlError
from regctl.base.redact import redact
from regctl.deploy.targets import Target, open_target

LIST_TTL = 3.0
KEEP_MANIFESTS = 4
_DECODER = json.JSONDecoder()


class HistoryError(RegctlError):
    """A history entry that cannot be read, or does not match its digest."""


@dataclass(frozen=True)
class Applied:
    """One apply, oldest first in the log (``n`` is its 1-based position there)."""

    n: int
    digest: str
    applied_at: str | None
    commit: str | None
    environment: str | None


def _top_value(text: str, key: str) -> Any:
    """A top-level value of a canonical pretty manifest, read where it is written (two
    spaces in, keys sorted) without parsing the models; ``None`` when it is not there."""
    needle = f'\n  "{key}": '
    pos = text.find(needle)
    if pos < 0:
        return None
    try:
        value, _ = _DECODER.raw_decode(text, pos + len(needle))
    except (ValueError, RecursionError):
        return None
    return value


def history_target(uri: str | None, manifest_source: str) -> Target | None:
    """The target named by ``--history``; else the file target the served manifest is,
    when it keeps a history folder beside it (what ``regctl apply`` writes)."""
    if uri:
        return open_target(uri, Path.cwd(), operator=True)
    if "://" in manifest_source and not manifest_source.startswith("file://"):
        return None
    path = Path(manifest_source.removeprefix("file://").removeprefix("file:"))
    if path.with_name(path.name + ".history").is_dir():
        return open_target(f"file:{path}", Path.cwd(), operator=True)
    return None


class History:
    """What a target kept: the list of applies, verified manifests, and price changes."""

    def __init__(self, target: Target | None) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._listed: tuple[float, list[Applied]] | None = None
        self._heads: dict[str, tuple[str | None, str | None]] = {}
        self._docs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.prices = PriceIndex(self)

    @property
    def available(self) -> bool:
        return self.target is not None and self.target.supports_history

    @property
    def location(self) -> str:
        return redact(self.target.uri) if self.target is not None else ""

    def applied(self) -> list[Applied]:
        """Every apply the target recorded, oldest first (re-read every few seconds)."""
        if not self.available:
            return []
        now = time.monotonic()
        with self._lock:
            if self._listed is not None and now - self._listed[0] < LIST_TTL:
                return self._listed[1]
        assert self.target is not None
        out = []
        for n, entry in enumerate(self.target.history(), 1):
            commit, env = self._head(entry.digest)
            out.append(Applied(n, entry.digest, entry.applied_at, commit, env))
        with self._lock:
            self._listed = (now, out)
        return out

    def _head(self, digest: str) -> tuple[str | None, str | None]:
        head = self._heads.get(digest)
        if head is None:
            assert self.target is not None
            try:
                text = self.target.load_history(digest)
            except RegctlError:
                return None, None  # listed in the log, not kept: shown without a commit
            source = _top_value(text, "source")
            commit = source.get("commit") if isinstance(source, dict) else None
            env = _top_value(text, "environment")
            head = (
                commit if isinstance(commit, str) else None,
                env if isinstance(env, str) else None,
            )
            self._heads[digest] = head
        return head

    def manifest(self, digest: str) -> dict[str, Any]:
        """The kept manifest ``digest``, parsed and verified (a few are cached)."""
        with self._lock:
            doc = self._docs.get(digest)
            if doc is not None:
                self._docs.move_to_end(digest)
                return doc
        if self.target is None:
            raise HistoryError("no history")
        try:
            text = self.target.load_history(digest)
            doc = json.loads(text)
        except (ValueError, RecursionError):
            raise HistoryError(f"history entry {digest} is damaged (not JSON)") from None
        if not isinstance(doc, dict) or compute_digest(doc) != digest:
            raise HistoryError(f"history entry {digest} does not match its digest")
        with self._lock:
            self._docs[digest] = doc
            while len(self._docs) > KEEP_MANIFESTS:
                self._docs.popitem(last=False)
        return doc


def _price(entry: Any) -> tuple[Any, ...] | None:
    pricing = entry.get("pricing") if isinstance(entry, dict) else None
    if not isinstance(pricing, dict):
        return None
    return tuple(
        pricing.get(k) for k in ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok")
    )


@dataclass(frozen=True)
class PricePoint:
    """A model's price as of one apply (``None``: the model or its price was absent)."""

    applied: Applied
    price: tuple[Any, ...] | None


class PriceIndex:
    """Each model's price at every apply where it changed, read once in the background.

    Only changes are kept (per model, a list of points), so memory grows with the price
    changes, not with the number of applies times models.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        self._lock = threading.Lock()
        self._done: list[Applied] = []
        self._last: dict[str, tuple[Any, ...] | None] = {}
        self._changes: dict[str, list[PricePoint]] = {}
        self._damaged: list[str] = []
        self._thread: threading.Thread | None = None

    def status(self) -> tuple[int, int]:
        """(applies read, applies listed); starts reading the new ones when behind."""
        listed = self.history.applied()
        with self._lock:
            done = len(self._done)
            if done < len(listed) and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._read, args=(listed[done:],), name="regctl-console-prices",
                    daemon=True,
                )  # fmt: skip
                self._thread.start()
        return done, len(listed)

    def wait(self, timeout: float) -> None:
        """Wait for a read in progress (tests and the bench ask for the whole history)."""
        self.status()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _read(self, todo: list[Applied]) -> None:
        for applied in todo:
            try:
                doc = self.history.manifest(applied.digest)
            except RegctlError:
                with self._lock:
                    self._damaged.append(applied.digest)
                    self._done.append(applied)
                continue
            found = doc.get("models")
            models: dict[str, Any] = found if isinstance(found, dict) else {}
            with self._lock:
                for key in self._last.keys() | models.keys():
                    price = _price(models.get(key))
                    if key not in self._last or self._last[key] != price:
                        self._changes.setdefault(key, []).append(PricePoint(applied, price))
                        self._last[key] = price
                self._done.append(applied)

    def points(self, key: str) -> list[PricePoint]:
        """The applies at which ``key``'s price changed (first appearance included)."""
        with self._lock:
            return list(self._changes.get(key, ()))

    @property
    def damaged(self) -> list[str]:
        with self._lock:
            return list(self._damaged)
