"""Render a spend report (text, JSON, Markdown) and its chart (plain SVG, no dependency).

Group names come from usage files, which anyone who can write a log line controls: the
text report escapes control and bidi characters and never starts a line with ``::`` (a
GitHub workflow command), the Markdown escapes what Markdown would act on, and the SVG
escapes XML. Every format says how many lines were malformed (not counted), and where
the first one is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from html import escape
from typing import Any

from regctl.base.textsafe import escape_control, safe_line
from regctl.spend import reliability
from regctl.spend.ledger import (
    BudgetStatus,
    Cell,
    Usage,
    daily,
    exact,
    forecast,
    month_fraction,
    totals,
)

_MARK = {"ok": "ok", "warning": "WARNING", "exceeded": "EXCEEDED"}


@exact
def _usd(d: Decimal) -> str:
    return f"{d.quantize(Decimal('0.01')):,}"


# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones
# that could start a link, an image, HTML, emphasis or code, or end a table cell.
_MD_ACTIVE = re.compile(r"([\\`*_{}\[\]<>|~&])")


def _md_text(text: str) -> str:
    """``text`` for a Markdown table cell: control characters escaped, nothing active."""
    return _MD_ACTIVE.sub(r"\\\1", escape_control(text))


def malformed_note(usage: Usage) -> str | None:
    """One line about the malformed lines, or ``None`` when there were none."""
    if not usage.malformed:
        return None
    return (
        f"{usage.malformed} malformed line(s) skipped, their spend NOT counted "
        f"(first: {usage.first_malformed})"
    )


@exact
def report_data(
    usage: Usage, by: str, budgets: list[BudgetStatus], as_of: dt.date
) -> dict[str, Any]:
    """The report as JSON data (money as decimal strings, exact)."""
    groups = totals(usage, by)
    total = sum((c.cost for c in groups.values()), Decimal(0))
    elapsed, days = month_fraction(usage.month, as_of)
    return {
        "month": usage.month,
        "as_of": as_of.isoformat(),
        "days_elapsed": elapsed,
        "days_in_month": days,
        "by": by,
        "currency": "USD",
        "events": usage.events,
        "malformed_lines": usage.malformed,
        "first_malformed": usage.first_malformed,
        "total": format(total, "f"),
        "forecast": format(forecast(total, usage.month, as_of), "f"),
        "groups": [
            {
                "name": name,
                "cost": format(c.cost, "f"),
                "calls": c.calls,
                "input_tokens": c.input_tokens,
                "output_tokens": c.output_tokens,
                "unpriced_calls": c.unpriced,
            }
            for name, c in groups.items()
        ],
        "reliability": {
            "overall": reliability.overall(usage.tallies),
            "models": reliability.rows(usage.tallies, "model"),
            "providers": reliability.rows(usage.tallies, "provider"),
        },
        "budgets": [
            {
                "scope": b.scope,
                "monthly": format(b.monthly, "f"),
                "warn_at": format(b.warn_at, "f"),
                "spent": format(b.spent, "f"),
                "forecast": format(b.forecast, "f"),
                "status": b.status,
            }
            for b in budgets
        ],
    }


def _reliability_rows(data: list[dict[str, Any]]) -> list[list[str]]:
    """Success rate and latency rows, names escaped as the group names are."""
    return [[escape_control(r[0]), *r[1:]] for r in reliability.table_rows(data)]


def _rows(groups: dict[str, Cell]) -> list[list[str]]:
    return [
        [
            escape_control(name),
            _usd(c.cost),
            str(c.calls),
            f"{c.input_tokens:,}",
            f"{c.output_tokens:,}",
        ]
        for name, c in groups.items()
    ]


def _budget_rows(budgets: list[BudgetStatus]) -> list[list[str]]:
    return [
        [
            escape_control(b.scope),
            _usd(b.spent),
            _usd(b.monthly),
            f"{b.used * 100:.0f}%",
            _usd(b.forecast),
            _MARK[b.status] + (" (forecast over)" if b.forecast > b.monthly else ""),
        ]
        for b in budgets
    ]


_GROUP_HEAD = ["GROUP", "USD", "CALLS", "INPUT", "OUTPUT"]
_BUDGET_HEAD = ["BUDGET", "SPENT", "MONTHLY", "USED", "FORECAST", "STATUS"]


def _table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for r in [head, *rows]:
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append(safe_line("  ".join(cells).rstrip()))
    return "\n".join(lines)


@exact
def render_text(data: dict[str, Any], usage: Usage, budgets: list[BudgetStatus]) -> str:
    """The terminal report."""
    groups = totals(usage, data["by"])
    head = (
        f"spend {data['month']} (as of {data['as_of']}, day {data['days_elapsed']} of "
        f"{data['days_in_month']}): {_usd(Decimal(data['total']))} USD, forecast "
        f"{_usd(Decimal(data['forecast']))} USD, {data['events']} events"
    )
    note = malformed_note(usage)
    parts = [head] + ([safe_line("warning: " + note)] if note else [])
    parts += ["", _table([f"{data['by'].upper()}", *_GROUP_HEAD[1:]], _rows(groups))]
    if budgets:
        parts += ["", _table(_BUDGET_HEAD, _budget_rows(budgets))]
    for by in ("provider", "model"):
        rows = _reliability_rows(data["reliability"][by + "s"])
        if rows:
            parts += ["", _table([by.upper(), *reliability.HEAD], rows)]
    return "\n".join(parts)


@exact
def render_markdown(data: dict[str, Any], usage: Usage, budgets: list[BudgetStatus]) -> str:
    """GitHub-flavoured Markdown (for ``$GITHUB_STEP_SUMMARY``)."""

    def md(head: list[str], rows: list[list[str]]) -> list[str]:
        out = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
        out += ["| " + " | ".join(_md_text(c) for c in r) + " |" for r in rows]
        return out

    lines = [
        f"### Spend {data['month']}",
        "",
        f"**{_usd(Decimal(data['total']))} USD** so far (as of {data['as_of']}, day "
        f"{data['days_elapsed']} of {data['days_in_month']}), forecast "
        f"**{_usd(Decimal(data['forecast']))} USD**, {data['events']} events.",
        "",
    ]
    note = malformed_note(usage)
    if note:
        lines += [f"> **Warning:** {_md_text(note)}", ""]
    if budgets:
        lines += [*md(_BUDGET_HEAD, _budget_rows(budgets)), ""]
    lines += md([data["by"], *_GROUP_HEAD[1:]], _rows(totals(usage, data["by"])))
    for by in ("provider", "model"):
        rows = _reliability_rows(data["reliability"][by + "s"])
        if rows:
            lines += ["", *md([by, *reliability.HEAD], rows)]
    return "\n".join(lines)


_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip


@exact
def render_svg(usage: Usage, by: str, title: str | None = None) -> str:
    """Daily spend per group as a line chart, plain SVG (deterministic bytes)."""
    series = daily(usage, by)
    year, mon = (int(p) for p in usage.month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    top = max((v for s in series.values() for v in s.values()), default=Decimal(0))
    top_f = float(top) or 1.0
    w, h, left, right, up, down = 720, 320, 64, 170, 36, 36
    pw, ph = w - left - right, h - up - down

    def x(day: int) -> float:
        return left + (day - 1) * pw / max(days - 1, 1)

    def y(v: float) -> float:
        return up + ph - v / top_f * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        f'<text x="{left}" y="20" font-size="13">'
        f"{escape(title or f'Daily spend by {by}, {usage.month} (USD)')}</text>",
    ]
    for i in range(5):  # horizontal grid with USD labels
        v = top_f * i / 4
        out.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + pw}" y2="{y(v):.1f}" '
            f'stroke="#dddddd"/><text x="{left - 6}" y="{y(v) + 4:.1f}" '
            f'text-anchor="end">{v:,.2f}</text>'
        )
    for day in (1, 8, 15, 22, days):
        out.append(
            f'<text x="{x(day):.1f}" y="{h - 14}" text-anchor="middle">'
            f"{usage.month}-{day:02d}</text>"
        )
    for n, (name, points) in enumerate(series.items()):
        color = _PALETTE[n % len(_PALETTE)]
        coords = " ".join(
            f"{x(int(d[8:10])):.1f},{y(float(points.get(d, Decimal(0)))):.1f}"
            for d in (f"{usage.month}-{i:02d}" for i in range(1, days + 1))
            if d <= max(points)
        )
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
        ly = up + 14 * n
        total = sum(points.values(), Decimal(0))
        out.append(
            f'<rect x="{w - right + 12}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
            f'<text x="{w - right + 28}" y="{ly + 1}">{escape(name[:22])} {_usd(total)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


@exact
def render_mermaid(usage: Usage) -> str:
    """Daily total spend as a Mermaid ``xychart-beta`` block.

    GitHub renders Mermaid in Markdown, job summaries included, where an SVG file
    cannot be shown inline: this is how the chart reaches ``$GITHUB_STEP_SUMMARY``.
    """
    year, mon = (int(p) for p in usage.month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    per_day = [Decimal(0)] * days
    for key, c in usage.cells.items():
        per_day[int(key[0][8:10]) - 1] += c.cost
    last = max((i for i, v in enumerate(per_day) if v), default=-1) + 1
    shown = per_day[: max(last, 1)]
    top = max(shown, default=Decimal(0))
    return "\n".join(
        [
            "```mermaid",
            "xychart-beta",
            f'    title "Daily spend {usage.month} (USD)"',
            f"    x-axis [{', '.join(str(i) for i in range(1, len(shown) + 1))}]",
            f'    y-axis "USD" 0 --> {float(top) * 1.1 or 1:.2f}',
            f"    bar [{', '.join(f'{v:.2f}' for v in shown)}]",
            "```",
        ]
    )
