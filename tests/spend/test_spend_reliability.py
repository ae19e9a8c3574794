"""`regctl spend` also reports success rate and p50/p95 latency per model and provider,
from the usage events that Registry.call records for every attempt."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli
from tests.failover_fleet import Upstream, chat, registry

from regctl.client import Registry, health, limits
from regctl.client.usage_jsonl import JsonlSink
from regctl.spend.reliability import percentile


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([], 50, None), ([7.0], 95, 7.0), ([1.0, 2.0], 50, 1.0), ([float(i) for i in range(1, 11)],
     50, 5.0), ([float(i) for i in range(1, 11)], 95, 10.0),
     ([float(i) for i in range(1, 101)], 95, 95.0)],
)  # fmt: skip
def test_nearest_rank(values: list[float], p: float, expected: float | None) -> None:
    assert percentile(values, p) == expected


def test_spend_reports_success_rate_and_latency(tmp_path: Path, upstream: Upstream) -> None:
    health.reset()
    limits.reset()
    upstream.reset()
    lock = registry(tmp_path, upstream, policy={"failover": {
        "num_retries": 0, "allowed_fails": 100, "backoff_seconds": 0}})  # fmt: skip
    reg = Registry.load(lock)
    log = tmp_path / "usage.jsonl"
    sink = JsonlSink(log, flush_interval=0)
    upstream.cue("primary", [500, 200, 503, 200, 200])  # 3 of 5 primary attempts succeed
    for _ in range(5):
        reg.call("chat", chat, sink=sink)
    sink.close()
    month = time.strftime("%Y-%m", time.gmtime())
    done = run_cli("spend", str(log), "--month", month, "--format", "json",
                   "--registry", str(tmp_path / "registry"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rel = json.loads(done.stdout)["reliability"]
    by_model = {r["name"]: r for r in rel["models"]}
    assert by_model["primary/model-0"]["calls"] == 5
    assert by_model["primary/model-0"]["failed"] == 2
    assert by_model["primary/model-0"]["success_rate"] == 0.6
    assert by_model["backup/model-1"] == by_model["backup/model-1"] | {
        "calls": 2, "failed": 0, "success_rate": 1.0}  # fmt: skip
    assert [r["name"] for r in rel["providers"]] == ["backup", "primary"]
    for r in rel["models"]:
        assert 0 < r["p50_ms"] <= r["p95_ms"] < 5000
    text = run_cli("spend", str(log), "--month", month, "--registry", str(tmp_path / "registry"))
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("MODEL "))
    assert lines[head].split() == ["MODEL", "CALLS", "OK", "P50", "MS", "P95", "MS"]
    assert lines[head + 2].split()[:3] == ["primary/model-0", "5", "60.0%"]
    md = run_cli("spend", str(log), "--month", month, "--format", "markdown",
                 "--registry", str(tmp_path / "registry"))  # fmt: skip
    assert "| provider | CALLS | OK | P50 MS | P95 MS |" in md.stdout


def _write(path: Path, events: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def test_events_without_ok_or_latency(tmp_path: Path) -> None:
    month = time.strftime("%Y-%m", time.gmtime())
    base = {"ts": f"{month}-01T00:00:00Z", "provider": "p", "model": "p/m", "cost": "0"}
    _write(tmp_path / "u.jsonl", [base, base | {"ok": False, "latency_ms": 12.5}])
    registry(tmp_path, None)
    done = run_cli("spend", str(tmp_path / "u.jsonl"), "--month", month, "--format", "json",
                   "--registry", str(tmp_path / "registry"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["reliability"]["models"]
    assert row == {"name": "p/m", "calls": 2, "failed": 1, "success_rate": 0.5,
                   "p50_ms": 12.5, "p95_ms": 12.5}  # fmt: skip
