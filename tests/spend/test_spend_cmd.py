"""`regctl spend` over real usage files, against the budgets of a real registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from regctl.authoring.init import init_project
from regctl.client import Registry, usage
from regctl.client.usage_jsonl import JsonlSink
from regctl.pipeline.compile import compile_registry, write_lock

BUDGETS = """budgets:
  - {scope: provider:openai, monthly: 10, warn_at: 0.5}
  - {scope: "model:anthropic/claude-3-5-sonnet-20241022", monthly: 100}
  - {scope: env:prod, monthly: 1000}
  - {scope: all, monthly: 50}
"""


def _line(day: int, provider: str, model: str, cost: str | None, env: str = "prod") -> str:
    return json.dumps(
        {
            "ts": f"2026-11-{day:02d}T12:00:00.000Z",
            "provider": provider,
            "model": f"{provider}/{model}",
            "environment": env,
            "template": None,
            "input_tokens": 1000,
            "output_tokens": 100,
            "cost": cost,
        }
    )


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``regctl`` as a user runs it, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "REGCTL_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    init_project(tmp_path)
    reg = tmp_path / "registry" / "registry.yaml"
    reg.write_text(reg.read_text() + BUDGETS)
    lines = []
    for day in range(1, 11):  # 10 days: openai 0.40/day, anthropic 1.10/day
        lines.append(_line(day, "openai", "gpt-4o", "0.40"))
        lines.append(_line(day, "anthropic", "claude-3-5-sonnet-20241022", "1.10"))
    lines.append(_line(3, "openai", "gpt-4o-mini", None, env="dev"))  # unpriced
    lines.append(_line(31, "openai", "gpt-4o", "99").replace("2026-11-31", "2026-10-31"))
    (tmp_path / "usage.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def _spend(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(
        "spend", "usage.jsonl", "--month", "2026-11", "--as-of", "2026-11-10", *args, cwd=project
    )


def test_json_report_totals_budgets_and_forecast(project: Path) -> None:
    r = _spend(project, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["events"] == 21  # the October line is not counted
    assert Decimal(data["total"]) == Decimal("15.00")
    assert Decimal(data["forecast"]) == Decimal("45.00")  # 15 in 10 days, 30-day month
    groups = {g["name"]: g for g in data["groups"]}
    assert Decimal(groups["openai"]["cost"]) == Decimal("4.00")
    assert groups["openai"]["calls"] == 11 and groups["openai"]["unpriced_calls"] == 1
    assert Decimal(groups["anthropic"]["cost"]) == Decimal("11.00")
    status = {b["scope"]: (Decimal(b["spent"]), b["status"]) for b in data["budgets"]}
    assert status == {
        "provider:openai": (Decimal("4.00"), "ok"),
        "model:anthropic/claude-3-5-sonnet-20241022": (Decimal("11.00"), "ok"),
        "env:prod": (Decimal("15.00"), "ok"),
        "all": (Decimal("15.00"), "ok"),
    }


def test_group_by_model_env_and_day(project: Path) -> None:
    def names(by: str) -> dict[str, str]:
        r = _spend(project, "--format", "json", "--by", by)
        return {g["name"]: g["cost"] for g in json.loads(r.stdout)["groups"]}

    assert set(names("model")) == {
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "anthropic/claude-3-5-sonnet-20241022",
    }
    assert {k: Decimal(v) for k, v in names("env").items()} == {
        "dev": Decimal(0),
        "prod": Decimal("15.00"),
    }
    days = names("day")
    assert len(days) == 10 and Decimal(days["2026-11-01"]) == Decimal("1.50")


def test_check_exit_codes(project: Path) -> None:
    assert _spend(project, "--check").returncode == 0
    reg = project / "registry" / "registry.yaml"
    text = reg.read_text()
    reg.write_text(text.replace("monthly: 10, warn_at: 0.5", "monthly: 7, warn_at: 0.5"))
    r = _spend(project, "--check")
    assert r.returncode == 3, r.stderr  # not 2: that is a usage error (docs/exit-codes.md)
    assert "WARNING" in r.stdout
    reg.write_text(text.replace("scope: all, monthly: 50", "scope: all, monthly: 14.99"))
    r = _spend(project, "--check")
    assert r.returncode == 1
    assert "EXCEEDED" in r.stdout
    assert _spend(project).returncode == 0  # no --check


def test_text_markdown_and_chart(project: Path) -> None:
    r = _spend(project, "--chart", "out/spend.svg")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("spend 2026-11 (as of 2026-11-10, day 10 of 30): 15.00 USD")
    svg = ET.parse(project / "out" / "spend.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    lines = svg.findall(f"{ns}polyline")
    assert [p.findtext(f"{ns}title") for p in lines] == ["anthropic", "openai"]
    assert len(lines[0].get("points", "").split()) == 10  # one point per day so far
    again = _spend(project, "--chart", "out/again.svg")
    assert again.returncode == 0
    assert (project / "out/again.svg").read_bytes() == (project / "out/spend.svg").read_bytes()
    md = _spend(project, "--format", "markdown", "--chart", "out/spend.svg")
    out = md.stdout
    assert "| provider:openai | 4.00 | 10.00 | 40% | 12.00 | ok (forecast over) |" in out
    assert "```mermaid\nxychart-beta" in out and "bar [1.50, 1.50," in out


def test_bad_input_is_one_line(project: Path) -> None:
    (project / "usage.jsonl").open("a").write("not json\n")
    r = _spend(project)
    assert r.returncode == 0
    assert "1 malformed line(s)" in r.stderr and "usage.jsonl:23: not a JSON object" in r.stderr
    r = _run("spend", "missing.jsonl", cwd=project)
    assert r.returncode == 2 and r.stderr.startswith("error: missing.jsonl: no such usage file")
    (project / "folder.jsonl").mkdir()
    r = _run("spend", "folder.jsonl", cwd=project)
    assert r.returncode == 1 and r.stderr.startswith("error: folder.jsonl: cannot read")
    r = _run("spend", "usage.jsonl", "--month", "2026-13", cwd=project)
    assert r.returncode == 2 and "--month takes YYYY-MM" in r.stderr
    reg = project / "registry" / "registry.yaml"
    reg.write_text(reg.read_text().replace("env:prod", "env:prdo"))
    r = _run("spend", "usage.jsonl", cwd=project)
    assert r.returncode == 1
    assert "registry.yaml:" in r.stderr and "environment 'prdo', which does not exist" in r.stderr
    assert "Traceback" not in r.stderr


def test_app_records_and_spend_reads_it(tmp_path: Path) -> None:
    """The whole loop: compile, an app records calls, `spend` prices them."""
    init_project(tmp_path)
    result = compile_registry(tmp_path / "registry", env="prod")
    write_lock(result, tmp_path / "m.json")
    sink = JsonlSink(tmp_path / "usage.jsonl")
    r = Registry.load(tmp_path / "m.json").resolve(template="summarize")
    costs = [r.record(input_tokens=1000 * i, output_tokens=50, sink=sink).cost for i in range(5)]
    sink.close()
    usage.configure()
    month = json.loads((tmp_path / "usage.jsonl").read_text().splitlines()[0])["ts"][:7]
    out = _run("spend", "usage.jsonl", "--month", month, "--format", "json", cwd=tmp_path)
    data = json.loads(out.stdout)
    assert Decimal(data["total"]) == sum(c for c in costs if c is not None)
    assert data["groups"][0]["name"] == r.provider.id and data["events"] == 5


def test_progress_only_on_a_terminal(project: Path) -> None:
    one = (project / "usage.jsonl").read_text().splitlines()[0] + "\n"
    (project / "big.jsonl").write_text(one * (25_000_000 // len(one)))
    args = [sys.executable, "-m", "regctl", "spend", "big.jsonl", "--month", "2026-11"]
    piped = subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""
    import pty

    leader, follower = pty.openpty()
    try:
        on_tty = subprocess.run(
            args, cwd=project, stdout=subprocess.PIPE, stderr=follower, timeout=120
        )
    finally:
        os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert on_tty.returncode == 0
    assert b"reading usage (bytes) [" in seen and b"##############################]" in seen
    assert on_tty.stdout.decode().startswith("spend 2026-11")
