"""Success rate and latency per model and provider, from the same one pass as spend.

:func:`regctl.spend.ledger.read_usage` adds each event's ``ok`` and ``latency_ms`` to a
:class:`Tally` of its ``(provider, model)``; here they become rows: calls, the share that
succeeded, and the median (p50) and 95th percentile (p95) latency of the events that say
how long they took (nearest-rank percentiles: a value some call really took). A model's
failed attempts (``Registry.call`` records every try) count in its success rate, so a
provider that fails over often shows it here before it shows in the bill.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """The outcomes of one (provider, model)."""

    ok: int = 0
    failed: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))

    def add(self, ok: Any, latency: Any) -> None:
        if ok is False:
            self.failed += 1
        else:
            self.ok += 1
        if type(latency) in (int, float) and math.isfinite(latency) and latency >= 0:
            self.latencies.append(latency)


def percentile(sorted_values: list[float], p: float) -> float | None:
    """The nearest-rank ``p`` percentile (0 < p <= 100) of sorted values, ``None`` if none."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def rows(tallies: dict[tuple[str, str], Tally], by: str) -> list[dict[str, Any]]:
    """One row per model (``by="model"``) or provider, sorted by name."""
    merged: dict[str, Tally] = {}
    for (provider, model), t in tallies.items():
        name = model if by == "model" else provider
        m = merged.get(name)
        if m is None:
            m = merged[name] = Tally()
        m.ok += t.ok
        m.failed += t.failed
        m.latencies.extend(t.latencies)
    out = []
    for name in sorted(merged):
        t = merged[name]
        calls = t.ok + t.failed
        lat = sorted(t.latencies)
        out.append({
            "name": name,
            "calls": calls,
            "failed": t.failed,
            "success_rate": round(t.ok / calls, 4) if calls else None,
            "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95),
        })  # fmt: skip
    return out


HEAD = ["CALLS", "OK", "P50 MS", "P95 MS"]


def table_rows(data: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of text for the text and Markdown reports."""

    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:,.0f}"

    return [
        [r["name"], str(r["calls"]),
         "-" if r["success_rate"] is None else f"{r['success_rate'] * 100:.1f}%",
         ms(r["p50_ms"]), ms(r["p95_ms"])]
        for r in data
    ]  # fmt: skip
