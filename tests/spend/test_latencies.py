"""Latency percentiles of ``regctl spend`` (and the console): exact while a model has
few distinct latencies, within 1% beyond, and bounded in memory whatever the month."""

from __future__ import annotations

import math
import random

import pytest

from regctl.spend.reliability import EXACT_VALUES, Latencies, Tally, overall, percentile


def _exact(values: list[float], p: float) -> float:
    result = percentile(sorted(values), p)
    assert result is not None
    return result


@pytest.mark.parametrize("n", [1, 2, 10, 100, EXACT_VALUES])
def test_exact_while_few_distinct_latencies(n: int) -> None:
    rng = random.Random(n)
    values = [round(rng.uniform(1, 5000), 3) for _ in range(n)]
    lat = Latencies()
    for v in values:
        lat.add(v)
    assert lat.exact
    for p in (50, 95, 99, 100):
        assert lat.percentile(p) == _exact(values, p)


def test_within_one_percent_and_bounded_beyond() -> None:
    rng = random.Random(7)
    # a month of 200,000 calls, every latency distinct, from 0.2 ms to 10 minutes
    values = [rng.lognormvariate(6, 1.5) + 0.2 for _ in range(200_000)]
    lat = Latencies()
    for v in values:
        lat.add(v)
    assert not lat.exact and lat.n == len(values)
    assert len(lat.buckets or {}) < 1_000  # not one entry per call
    for p in (50, 95, 99):
        exact, got = _exact(values, p), lat.percentile(p)
        assert got is not None and math.isclose(got, exact, rel_tol=0.011), (p, got, exact)


def test_merging_tallies_keeps_every_call() -> None:
    a, b = Tally(), Tally()
    for n in range(EXACT_VALUES):  # a alone stays exact
        a.add(True, float(n))
    for n in range(10):
        b.add(n != 0, 5000.0 + n)
    row = overall({("p", "p/a"): a, ("p", "p/b"): b})
    assert row["calls"] == EXACT_VALUES + 10 and row["failed"] == 1
    assert row["success_rate"] == round((EXACT_VALUES + 9) / (EXACT_VALUES + 10), 4)
    values = [float(n) for n in range(EXACT_VALUES)] + [5000.0 + n for n in range(10)]
    assert math.isclose(row["p95_ms"], _exact(values, 95), rel_tol=0.011)
    assert math.isclose(row["p50_ms"], _exact(values, 50), rel_tol=0.011)
