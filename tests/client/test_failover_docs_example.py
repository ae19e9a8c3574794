"""The complete app of docs/client.md, "Failures and limits", run as written: it records
usage, fails over from a failing provider, and stops at a budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.failover_fleet import Upstream, registry


def _example() -> str:
    text = (ROOT / "docs" / "client.md").read_text()
    section = text.split("## Failures and limits", 1)[1].split("\n## ", 1)[0]
    return section.split("A complete app", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def test_the_documented_app_fails_over_records_and_stops_at_its_budget(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.reset()
    upstream.cue("primary", [503, 503, 503])  # primary is down for the first call
    budgets = [{"scope": "all", "monthly": 0.0001, "on_exceed": "refuse"}]  # ~4 calls
    policy = {"failover": {"backoff_seconds": 0.01, "max_backoff_seconds": 0.05}}
    lock = registry(tmp_path, upstream, policy=policy, budgets=budgets)
    app = tmp_path / "app.py"
    app.write_text(_example() + "\nfor _ in range(8):\n    print(answer('hello?'))\n")
    log = tmp_path / "usage.jsonl"
    env = dict(os.environ, REGCTL_MANIFEST=str(lock), USAGE_SINK=f"jsonl:{log}",
               FAILOVER_TEST_KEY="test-key")  # fmt: skip
    env.pop("REGCTL_LIMITS_URL", None)
    run = subprocess.run([sys.executable, str(app)], env=env, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    said = run.stdout.splitlines()
    assert said[0] == "hello from backup"  # failed over: primary answered 503 three times
    assert said[1:5] == ["hello from primary"] * 4  # primary is back (3 fails <= allowed 3)
    assert said[5:] == ["Out of budget for all this month."] * 3  # 5 x 0.000022 > 0.0001
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["provider"], e["ok"]) for e in events] == [
        ("primary", False)] * 3 + [("backup", True)] + [("primary", True)] * 4  # fmt: skip
    assert "test-key" not in run.stdout + run.stderr + log.read_text()
