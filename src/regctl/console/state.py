"""What the console keeps between requests: per-manifest indexes and the slow readers.

Everything derived from a manifest is keyed by its digest and built on first use (the
models table, the manifest as a document for diffs); a reload of the watched manifest
simply starts new ones. The history, key checks, spend and propose each keep their own
small caches.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from regctl.console.catalog import Catalog
from regctl.console.history import History, history_target
from regctl.console.options import ConsoleOptions
from regctl.console.providers import KeyCache


def top(snap: Any) -> dict[str, Any]:
    """The served manifest's top level (everything but the models), as verified."""
    data: dict[str, Any] = snap.registry._state.data.top
    return data


def manifest_document(snap: Any) -> dict[str, Any]:
    """The served manifest as one document (shared with the snapshot: nothing copied).

    The watcher's snapshot has verified it and already holds every model entry.
    """
    data = snap.registry._state.data
    doc = dict(data.top)
    doc["models"] = data.all_models()
    return doc


class ConsoleState:
    """The watcher, the options and the caches of one server process."""

    def __init__(self, watcher: Any, options: ConsoleOptions) -> None:
        self.watcher = watcher
        self.options = options
        self.keys = KeyCache()
        self._lock = threading.Lock()
        self._catalogs: OrderedDict[str, Catalog] = OrderedDict()
        self._history: History | None = None
        self._diffs: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._spend: Any = None
        self.propose_gate = threading.Lock()
        self.loaded_at: dict[str, dt.datetime] = {}

    @property
    def snapshot(self) -> Any:
        snap = self.watcher.snapshot
        if snap is not None and snap.digest not in self.loaded_at:
            if len(self.loaded_at) > 100:  # a server that reloads for months: the recent ones
                self.loaded_at.clear()
            self.loaded_at[snap.digest] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        return snap

    def catalog(self, snap: Any) -> Catalog:
        """The models table of ``snap`` (built once per manifest)."""
        with self._lock:
            found = self._catalogs.get(snap.digest)
            if found is not None:
                return found
        built = Catalog(snap.registry.models())
        with self._lock:
            self._catalogs[snap.digest] = built
            while len(self._catalogs) > 2:
                self._catalogs.popitem(last=False)
        return built

    @property
    def history(self) -> History:
        """The target's history (opened on first use; none when there is no target)."""
        if self._history is None:
            with self._lock:
                if self._history is None:
                    target = history_target(self.options.history, self.watcher.source)
                    self._history = History(target)
        return self._history

    def diff_cache(self) -> OrderedDict[tuple[str, str], Any]:
        return self._diffs

    @property
    def spend(self) -> Any:
        """The spend reader (usage files and budgets), made on first use."""
        if self._spend is None:
            from regctl.console.spend_source import SpendSource

            with self._lock:
                if self._spend is None:
                    self._spend = SpendSource(self.options.usage, self.options.registry)
        return self._spend
