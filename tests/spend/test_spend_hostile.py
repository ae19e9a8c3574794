"""`regctl spend` against usage lines written to mislead it: spend cannot be hidden.

Whoever can append a line to a usage file (any process of the app, a compromised
dependency, a log shipper) must not be able to lower the reported spend, crash the
budgets, or print a line of their choosing into a CI log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli

from regctl.authoring.init import init_project
from regctl.base.textsafe import BIDI, INVISIBLE
from regctl.spend.ledger import check_budgets, exit_code, read_usage
from regctl.spend.report import (
    render_markdown,
    render_mermaid,
    render_svg,
    render_text,
    report_data,
)

MONTH, AS_OF = "2026-11", "2026-11-10"


def line(day: int = 3, **fields: Any) -> str:
    event = {
        "ts": f"{MONTH}-{day:02d}T12:00:00.000Z",
        "provider": "openai",
        "model": "openai/gpt-4o",
        "environment": "prod",
        "template": None,
        "input_tokens": 1000,
        "output_tokens": 100,
        "cost": "60.00",
    }
    event.update(fields)
    return json.dumps(event, ensure_ascii=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    init_project(tmp_path)
    reg = tmp_path / "registry" / "registry.yaml"
    reg.write_text(reg.read_text() + "budgets:\n  - {scope: all, monthly: 100}\n")
    return tmp_path


def spend(project: Path, lines: list[str], *args: str) -> Any:
    (project / "usage.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_cli("spend", "usage.jsonl", "--month", MONTH, "--as-of", AS_OF, *args, cwd=project)


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"--format json printed {name}")

    return json.loads(text, parse_constant=refuse)


# Each of these lines, added to 180 USD of honest spend, once lowered the total, hid it
# from --check, or crashed a budget, forecast or chart.
HIDERS = {
    "negative cost": line(cost="-150"),
    "NaN string": line(cost="NaN"),
    "Infinity string": line(cost="Infinity"),
    "bare NaN": line(cost=None).replace('"cost": null', '"cost": NaN'),
    "bare -Infinity": line(cost=None).replace('"cost": null', '"cost": -Infinity'),
    "1e30": line(cost="1e30"),
    "latency NaN": line(latency_ms=None).replace('"latency_ms": null', '"latency_ms": NaN'),
    "number as provider": line(provider=5),
    "list as model": line(model=["openai/gpt-4o"]),
    "no such day": line(ts="2026-11-31T12:00:00.000Z"),
    "day zero": line(ts="2026-11-00T12:00:00.000Z"),
    "over-long line": line(model="m" * 70_000),
}


@pytest.mark.parametrize("name", sorted(HIDERS))
def test_a_hostile_line_cannot_hide_spend(tmp_path: Path, name: str) -> None:
    """Each line on its own, through the library every format is rendered by."""
    honest = [line(day) for day in (1, 2, 3)]  # 180 USD against a 100 USD budget
    path = tmp_path / "usage.jsonl"
    path.write_text("\n".join([*honest, HIDERS[name]]) + "\n", encoding="utf-8")
    usage = read_usage([path], MONTH)
    as_of = dt.date(2026, 11, 10)
    statuses = check_budgets(usage, [{"scope": "all", "monthly": 100.0}], as_of)
    assert usage.malformed == 1 and usage.events == 3
    assert usage.first_malformed and usage.first_malformed.startswith(f"{path}:4: ")
    assert [s.status for s in statuses] == ["exceeded"]
    assert exit_code(statuses, usage.malformed) == 1
    under = check_budgets(usage, [{"scope": "all", "monthly": 1000.0}], as_of)
    assert exit_code(under, usage.malformed) == 1  # under budget, but spend is unknown
    data = report_data(usage, "provider", statuses, as_of)
    assert Decimal(data["total"]) == 180 and data["malformed_lines"] == 1
    _strict_json(json.dumps(data, allow_nan=False))
    for text in (render_text(data, usage, statuses), render_markdown(data, usage, statuses)):
        assert "1 malformed line(s)" in text and "180.00" in text
    ET.fromstring(render_svg(usage, "provider"))
    assert "bar [60.00, 60.00, 60.00]" in render_mermaid(usage)


def test_every_hostile_line_through_the_cli(project: Path) -> None:
    lines = [line(day) for day in (1, 2, 3)] + [HIDERS[n] for n in sorted(HIDERS)]
    data = spend(project, lines, "--format", "json")
    assert data.returncode == 0, data.stderr
    report = _strict_json(data.stdout)
    assert Decimal(report["total"]) == Decimal(180)
    assert report["malformed_lines"] == len(HIDERS)
    assert report["first_malformed"].startswith("usage.jsonl:4: ")
    assert f"{len(HIDERS)} malformed line(s)" in data.stderr
    for fmt in ("text", "markdown"):
        out = spend(project, lines, "--format", fmt, "--chart", "spend.svg")
        assert out.returncode == 0, out.stderr
        assert f"{len(HIDERS)} malformed line(s)" in out.stdout and "usage.jsonl:4" in out.stdout
        assert "180.00" in out.stdout
        ET.parse(project / "spend.svg")
    check = spend(project, [line(1, cost="1.00"), *lines[3:]], "--check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert spend(project, [line(1, cost="1.00")], "--check").returncode == 0
    assert "internal error" not in data.stderr + check.stderr and "Traceback" not in check.stderr


def test_negative_cost_no_longer_brings_spend_under_budget(project: Path) -> None:
    """The issue's attack: one line of -150 put 180 USD under a 100 USD budget."""
    lines = [line(day) for day in (1, 2, 3)] + [line(4, cost="-150")]
    done = spend(project, lines, "--check", "--format", "json")
    assert done.returncode == 1
    report = _strict_json(done.stdout)
    assert report["total"] == "180.00" and report["budgets"][0]["status"] == "exceeded"


_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}{INVISIBLE}]")
NAMES = {
    "provider": "openai\n::error title=spend::all clear",
    "model": "openai/\u202eo4-tpg",
    "environment": "prod\r::add-mask::x\x1b[2J",
    "template": "::stop-commands::tok",
}


@pytest.mark.parametrize("by", ["provider", "model", "env", "template"])
def test_group_names_cannot_start_workflow_commands(project: Path, by: str) -> None:
    lines = [line(1, **NAMES), line(2)]
    for fmt in ("text", "markdown"):
        done = spend(project, lines, "--by", by, "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert not _CONTROL.search(done.stdout), done.stdout
        for out_line in done.stdout.split("\n"):
            assert not out_line.lstrip().startswith("::"), out_line
    key = {"env": "environment"}.get(by, by)
    done = spend(project, lines, "--by", by, "--format", "json")
    names = {g["name"] for g in _strict_json(done.stdout)["groups"]}
    assert NAMES[key] in names  # JSON keeps the exact name, escaped by JSON itself


def test_markdown_cells_cannot_add_links_or_columns(project: Path) -> None:
    evil = "[click](https://evil.example/) <img src=x> | 0.00 | `x`"
    done = spend(project, [line(1, provider=evil)], "--format", "markdown")
    row = next(r for r in done.stdout.splitlines() if "click" in r)
    assert row.count(" | ") == 4  # five cells, as in the header: the name's pipe is escaped
    assert "\\[click\\]" in row and "\\<img" in row and "\\`x\\`" in row


def test_json_report_is_strict_json_with_huge_but_valid_costs(project: Path) -> None:
    lines = [line(1, cost="999999999999.99"), line(2, cost="0.000000000000000000000001")]
    done = spend(project, lines, "--format", "json")
    report = _strict_json(done.stdout)
    assert Decimal(report["total"]) == Decimal("999999999999.990000000000000000000001")
    assert report["malformed_lines"] == 0
    text = spend(project, lines, "--chart", "c.svg", "--format", "markdown")
    assert text.returncode == 0 and "999,999,999,999.99" in text.stdout
