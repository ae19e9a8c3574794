"""The spend page's inputs: the usage files given to ``regctl serve --usage`` and the
registry's budgets, read again only when a file changed (size or time), so a page view
costs a lookup."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from regctl.spend.ledger import Usage, read_usage

BUDGET_TTL = 30.0
KEEP_MONTHS = 3


class SpendSource:
    """The usage files and the registry's budgets, read when they change."""

    def __init__(self, paths: tuple[str, ...], registry: Path | None) -> None:
        self.paths = paths
        self.registry = registry
        self._lock = threading.Lock()
        self._months: OrderedDict[str, tuple[Any, Usage]] = OrderedDict()
        self._budgets: tuple[float, list[dict[str, Any]], list[str]] | None = None

    def _stamp(self) -> tuple[Any, ...]:
        out = []
        for p in self.paths:
            try:
                st = os.stat(p)
                out.append((p, st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((p, -1, -1))
        return tuple(out)

    def usage(self, month: str) -> Usage:
        """The month's usage (raises :class:`SpendError` for a file that cannot be read)."""
        with self._lock:  # one reader at a time: a second page waits for the first
            stamp = self._stamp()
            hit = self._months.get(month)
            if hit is not None and hit[0] == stamp:
                self._months.move_to_end(month)
                return hit[1]
            usage = read_usage(self.paths, month)
            self._months[month] = (stamp, usage)
            while len(self._months) > KEEP_MONTHS:
                self._months.popitem(last=False)
            return usage

    def budgets(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(budgets, error lines) of the registry; none without a registry."""
        if self.registry is None:
            return [], []
        now = time.monotonic()
        with self._lock:
            if self._budgets is not None and now - self._budgets[0] < BUDGET_TTL:
                return self._budgets[1], self._budgets[2]
        from regctl.spend.budgets import read_budgets

        budgets, errors = read_budgets(self.registry)
        with self._lock:
            self._budgets = (now, budgets, errors)
        return budgets, errors
