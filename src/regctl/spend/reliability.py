"""Success rate and latency per model and provider, from the same one pass as spend.

:func:`regctl.spend.ledger.read_usage` adds each event's ``ok`` and ``latency_ms`` to a
:class:`Tally` of its ``(provider, model)``; here they become rows: calls, the share that
succeeded, and the median (p50) and 95th percentile (p95) latency of the events that say
how long they took (nearest rank: a value some call really took). A model's failed
attempts (``Registry.call`` records every try) count in its success rate, so a provider
that fails over often shows it here before it shows in the bill.

Memory is bounded whatever the month's size: a tally counts each distinct latency
(:class:`Latencies`), exact while there are at most :data:`EXACT_VALUES` of them; past
that it counts log-scale buckets instead (about 2% wide, at most a few thousand over the
whole range of latencies), and a percentile is the middle of its bucket: within 1% of
the exact one. The web console's spend page shows these same rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: Distinct latencies a tally counts exactly before it switches to buckets.
EXACT_VALUES = 4096
#: Buckets per factor e of latency (each about 2% wide: a bucket's middle is within 1%).
_PER_E = 50


def _bucket(ms: float) -> int:
    return int(math.log1p(ms) * _PER_E)


def _middle(bucket: int) -> float:
    return math.expm1((bucket + 0.5) / _PER_E)


@dataclass
class Latencies:
    """How many calls took each latency (exact), or fell in each bucket (beyond
    :data:`EXACT_VALUES` distinct latencies)."""

    counts: dict[float, int] = field(default_factory=dict)
    buckets: dict[int, int] | None = None
    n: int = 0

    @property
    def exact(self) -> bool:
        return self.buckets is None

    def add(self, ms: float, times: int = 1) -> None:
        self.n += times
        if self.buckets is None:
            counts = self.counts
            counts[ms] = counts.get(ms, 0) + times
            if len(counts) > EXACT_VALUES:
                self._to_buckets()
        else:
            b = _bucket(ms)
            self.buckets[b] = self.buckets.get(b, 0) + times

    def _to_buckets(self) -> None:
        buckets: dict[int, int] = {}
        for ms, times in self.counts.items():
            b = _bucket(ms)
            buckets[b] = buckets.get(b, 0) + times
        self.buckets, self.counts = buckets, {}

    def merge(self, other: Latencies) -> None:
        if other.buckets is None:
            for ms, times in other.counts.items():
                self.add(ms, times)
            return
        if self.buckets is None:
            self._to_buckets()
        assert self.buckets is not None
        for b, times in other.buckets.items():
            self.buckets[b] = self.buckets.get(b, 0) + times
        self.n += other.n

    def percentile(self, p: float) -> float | None:
        """The nearest-rank ``p`` percentile (0 < p <= 100); ``None`` without latencies."""
        if not self.n:
            return None
        rank = max(1, math.ceil(p / 100 * self.n))
        table: dict[Any, int] = self.counts if self.buckets is None else self.buckets
        seen = 0
        for key in sorted(table):
            seen += table[key]
            if seen >= rank:
                return float(key) if self.buckets is None else round(_middle(key), 1)
        return None  # pragma: no cover  (the counts always reach n)


@dataclass
class Tally:
    """The outcomes of one (provider, model)."""

    ok: int = 0
    failed: int = 0
    latencies: Latencies = field(default_factory=Latencies)

    def add(self, ok: Any, latency: Any) -> None:
        if ok is False:
            self.failed += 1
        else:
            self.ok += 1
        if type(latency) in (int, float) and math.isfinite(latency) and latency >= 0:
            lat = self.latencies
            if lat.buckets is None:  # Latencies.add inlined: once per event of the month
                counts = lat.counts
                counts[latency] = counts.get(latency, 0) + 1
                lat.n += 1
                if len(counts) > EXACT_VALUES:
                    lat._to_buckets()
            else:
                lat.add(latency)

    def merge(self, other: Tally) -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.latencies.merge(other.latencies)


def percentile(sorted_values: list[float], p: float) -> float | None:
    """The nearest-rank ``p`` percentile (0 < p <= 100) of sorted values, ``None`` if none."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _row(name: str, t: Tally) -> dict[str, Any]:
    calls = t.ok + t.failed
    return {
        "name": name,
        "calls": calls,
        "failed": t.failed,
        "success_rate": round(t.ok / calls, 4) if calls else None,
        "p50_ms": t.latencies.percentile(50),
        "p95_ms": t.latencies.percentile(95),
    }


def rows(tallies: dict[tuple[str, str], Tally], by: str) -> list[dict[str, Any]]:
    """One row per model (``by="model"``) or provider, sorted by name."""
    merged: dict[str, Tally] = {}
    for (provider, model), t in tallies.items():
        name = model if by == "model" else provider
        m = merged.get(name)
        if m is None:
            m = merged[name] = Tally()
        m.merge(t)
    return [_row(name, merged[name]) for name in sorted(merged)]


def overall(tallies: dict[tuple[str, str], Tally]) -> dict[str, Any]:
    """Every call of the month as one row (named ``all``)."""
    total = Tally()
    for t in tallies.values():
        total.merge(t)
    return _row("all", total)


HEAD = ["CALLS", "OK", "P50 MS", "P95 MS"]


def percent(rate: float | None) -> str:
    """``99.5%``; ``-`` without calls."""
    return "-" if rate is None else f"{rate * 100:.1f}%"


def millis(value: float | None) -> str:
    """``840``; ``-`` without latencies."""
    return "-" if value is None else f"{value:,.0f}"


def table_rows(data: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of text for the text and Markdown reports."""
    return [
        [r["name"], str(r["calls"]), percent(r["success_rate"]), millis(r["p50_ms"]),
         millis(r["p95_ms"])]
        for r in data
    ]  # fmt: skip
