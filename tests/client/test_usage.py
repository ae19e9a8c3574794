"""Resolved.record(): the usage event, the JSONL sink (rotation, several processes), plugins."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, write_manifest

from regctl.client import PricingError, Registry, usage
from regctl.client.usage_jsonl import JsonlSink, rotated_files

PLUGIN_DIR = Path(__file__).resolve().parent / "usage_plugin"
COMMIT = "c0ffee" + "0" * 34


def _doc() -> dict[str, Any]:
    d = copy.deepcopy(base_doc())
    d["source"]["commit"] = COMMIT
    return d


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Registry]:
    yield Registry.load(write_manifest(tmp_path / "m.json", _doc()))
    usage.configure()  # no sink leaks into the next test


def _lines(*paths: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for p in paths for line in p.read_text().splitlines()]


def test_event_says_what_was_called_and_what_it_cost(reg: Registry) -> None:
    r = reg.resolve(template="summarize")
    before = dt.datetime.now(dt.timezone.utc)
    ev = r.record(input_tokens=1200, output_tokens=300, cached_input_tokens=200, latency_ms=830)
    assert (ev.provider, ev.model, ev.upstream_id, ev.api) == (
        "openai",
        "openai/gpt-4o",
        "gpt-4o-2024-08-06",
        "openai",
    )
    assert (ev.capability, ev.environment, ev.template, ev.via) == (
        "chat",
        "prod",
        "summarize",
        "default",
    )
    assert (ev.digest, ev.commit) == (reg.digest, COMMIT)
    # 1000 * 2.5 + 200 * 1.25 + 300 * 10 per million tokens, exactly
    assert ev.cost == Decimal("0.00575") == reg.cost(r, 1200, 300, 200)
    assert isinstance(ev.cost, Decimal)
    stamp = dt.datetime.strptime(ev.ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    assert before - dt.timedelta(seconds=1) <= stamp <= dt.datetime.now(dt.timezone.utc)
    assert json.loads(ev.to_json()) == ev.as_dict()
    assert ev.as_dict()["cost"] == "0.00575000" and ev.as_dict()["ok"] is True
    failed = r.record(input_tokens=10, ok=False)
    assert failed.as_dict()["ok"] is False and failed.latency_ms is None


def test_costs_match_the_registry_for_many_counts(reg: Registry) -> None:
    r = reg.resolve("chat")
    for counts in [(0, 0, 0), (1, 0, 0), (0, 1, 0), (7, 3, 7), (10**9, 12345, 99)]:
        ev = r.record(*counts)
        assert ev.cost == reg.cost(r, *counts), counts
        assert Decimal(ev.as_dict()["cost"]) == ev.cost
        assert "E" not in ev.as_dict()["cost"]  # plain notation, for every reader


def test_unpriced_model_and_bad_counts(reg: Registry) -> None:
    r = reg.resolve("chat", provider="anthropic")  # no pricing in the fixture
    ev = r.record(input_tokens=5, output_tokens=5)
    assert ev.cost is None and json.loads(ev.to_json())["cost"] is None
    with pytest.raises(PricingError, match="input_tokens must be a whole number"):
        r.record(input_tokens=-1)
    with pytest.raises(PricingError, match="output_tokens"):
        r.record(output_tokens=1.5)  # type: ignore[arg-type]
    with pytest.raises(PricingError, match="cannot exceed"):
        r.record(input_tokens=1, cached_input_tokens=2)


@pytest.mark.parametrize(
    "latency",
    [float("nan"), float("inf"), float("-inf"), -1, -0.5, True, "soon", 10.0**20, 2**1100],
)
def test_record_refuses_a_latency_spend_would_skip(
    reg: Registry, tmp_path: Path, latency: object
) -> None:
    """A value the reader would count as malformed is refused here, before it is written:
    before, ``latency_ms=nan`` was written as ``NaN`` and the call's cost vanished."""
    path = tmp_path / "usage.jsonl"
    sink = JsonlSink(path, flush_interval=0)
    with pytest.raises(usage.UsageError, match="latency_ms"):
        reg.resolve("chat").record(input_tokens=10, latency_ms=latency, sink=sink)  # type: ignore[arg-type]
    sink.close()
    assert path.read_text() == ""


def test_record_refuses_counts_and_costs_beyond_the_schema(reg: Registry) -> None:
    r = reg.resolve("chat")
    with pytest.raises(PricingError, match="2\\*\\*63-1"):
        r.record(input_tokens=2**63)
    with pytest.raises(PricingError, match="10\\*\\*12 USD"):
        r.record(input_tokens=2**63 - 1)  # 2.3e13 USD at 2.50 per million tokens


def test_every_event_record_writes_is_read_back_exactly(reg: Registry, tmp_path: Path) -> None:
    """Writer and reader share one schema: nothing record() writes is malformed to spend."""
    from regctl.client.usage_event import parse_line

    path = tmp_path / "usage.jsonl"
    sink = JsonlSink(path, flush_interval=0)
    events = [
        reg.resolve("chat").record(input_tokens=n, output_tokens=n // 3, latency_ms=lat, sink=sink)
        for n, lat in [(0, None), (1, 0), (10**9, 0.001), (7, 1e9), (2**40, 12.5)]
    ]
    events.append(reg.resolve("chat", provider="anthropic").record(input_tokens=5, sink=sink))
    sink.close()
    rows = [parse_line(raw) for raw in path.read_bytes().splitlines()]
    assert [r.cost for r in rows] == [e.cost for e in events]
    assert [(r.input_tokens, r.output_tokens) for r in rows] == [
        (e.input_tokens, e.output_tokens) for e in events
    ]


def test_jsonl_sink_buffers_then_writes_whole_lines(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "logs" / "usage.jsonl"
    sink = JsonlSink(path, flush_lines=10, flush_interval=0)
    usage.configure(sink)
    r = reg.resolve("chat")
    for i in range(9):
        r.record(input_tokens=i)
    assert path.read_text() == ""  # still buffered
    r.record(input_tokens=9)
    assert [e["input_tokens"] for e in _lines(path)] == list(range(10))
    r.record(input_tokens=10)
    usage.flush()
    assert len(_lines(path)) == 11


def test_jsonl_sink_flushes_on_its_timer(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    usage.configure(JsonlSink(path, flush_interval=0.05))
    reg.resolve("chat").record(input_tokens=1)
    deadline = time.monotonic() + 5
    while not path.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_lines(path)) == 1


def test_jsonl_sink_rotates_by_size_and_prunes(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    sink = JsonlSink(path, max_bytes=4000, flush_lines=5, flush_interval=0)
    usage.configure(sink)
    r = reg.resolve("chat")
    for i in range(200):
        r.record(input_tokens=i)
    sink.flush()
    rotated = sink.rotated()
    assert len(rotated) >= 5
    files = [*map(Path, rotated), path]
    assert all(f.stat().st_size <= 4000 for f in files)
    assert sorted(e["input_tokens"] for e in _lines(*files)) == list(range(200))
    # oldest first: the first rotated file holds the first events
    assert _lines(files[0])[0]["input_tokens"] == 0
    pruned = JsonlSink(path, max_bytes=4000, backups=2, flush_lines=5, flush_interval=0)
    usage.configure(pruned)
    for i in range(50):
        r.record(input_tokens=i)
    pruned.flush()
    assert len(pruned.rotated()) == 2


_WRITER = """
import sys, time
from regctl.client import Registry, usage
from regctl.client.usage_jsonl import JsonlSink
manifest, path = sys.argv[1], sys.argv[2]
proc, count, rate = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
usage.configure(JsonlSink(path, max_bytes=60_000, flush_lines=50, flush_interval=0.2))
r = Registry.load(manifest).resolve("chat")
start = time.monotonic()
for i in range(count):
    r.record(input_tokens=proc * 1_000_000 + i, output_tokens=1)
    lag = start + (i + 1) / rate - time.monotonic()
    if lag > 0:
        time.sleep(lag)
"""


def test_two_processes_at_1000_per_second_share_one_file(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    count = 2500  # 2.5 s each at 1,000 records/s, rotating every ~120 events
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, reg.source, str(path), str(n), str(count), "1000"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    files = [path, *map(Path, rotated_files(path))]
    assert len(files) > 10  # the processes rotated the file under each other
    seen = [e["input_tokens"] for e in _lines(*files)]  # every line parses: none torn
    assert len(seen) == len(set(seen)) == 2 * count
    assert set(seen) == {n * 1_000_000 + i for n in (1, 2) for i in range(count)}


_ENV_SCRIPT = """
import json, sys
from regctl.client import Registry
before = set(sys.modules)
r = Registry.load(sys.argv[1]).resolve("chat")
r.record(input_tokens=100, output_tokens=10)
print(json.dumps({"before": sorted(before), "after": sorted(sys.modules)}))
"""


def test_sinks_from_the_environment_without_opentelemetry(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    csv = tmp_path / "usage.csv"
    env = dict(os.environ, REGCTL_USAGE_SINKS=f"jsonl:{path},csvfile:{csv}")
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN_DIR), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c", _ENV_SCRIPT, reg.source],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    mods = json.loads(proc.stdout)
    assert "regctl.client.usage" not in mods["before"]  # loaded by the first record()
    assert not any(m.startswith("opentelemetry") for m in mods["after"])
    [event] = _lines(path)  # written at exit, from the buffer
    assert event["model"] == "openai/gpt-4o" and event["cost"] == "0.00035000"
    assert csv.read_text() == "openai/gpt-4o,0.00035000\n"  # the plugin sink got it too


def test_unknown_sink_is_a_clear_error(reg: Registry) -> None:
    with pytest.raises(usage.UsageError, match="unknown usage sink 'kafka'"):
        usage.configure("kafka:localhost")
    with pytest.raises(usage.UsageError, match="needs a path"):
        usage.configure("jsonl:")


def test_explicit_sink_overrides_the_configured_ones(reg: Registry, tmp_path: Path) -> None:
    configured, explicit = JsonlSink(tmp_path / "a.jsonl"), JsonlSink(tmp_path / "b.jsonl")
    usage.configure(configured)
    reg.resolve("chat").record(input_tokens=1, sink=explicit)
    explicit.flush()
    configured.flush()
    assert len(_lines(tmp_path / "b.jsonl")) == 1 and _lines(tmp_path / "a.jsonl") == []


def test_forked_child_does_not_write_the_parents_buffer(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    sink = JsonlSink(path, flush_interval=0)
    r = reg.resolve("chat")
    for i in range(3):
        r.record(input_tokens=i, sink=sink)  # buffered in the parent
    pid = os.fork()
    if pid == 0:  # the child: one event of its own, flushed, then leave without atexit
        try:
            r.record(input_tokens=100, sink=sink)
            sink.flush()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    sink.flush()
    assert sorted(e["input_tokens"] for e in _lines(path)) == [0, 1, 2, 100]
