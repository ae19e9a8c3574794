"""The spend page: the usage files given to ``regctl serve --usage``, against the budgets.

The numbers are ``regctl spend``'s: the same ledger reads the files
(:func:`regctl.spend.ledger.read_usage`), the same report data sums them
(:func:`regctl.spend.report.report_data`) and the same chart draws them. A month is read
again only when a file changed (size or time), so a page view costs a lookup.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from typing import Any

from starlette.responses import Response

from regctl.base.errors import UsageError
from regctl.console.page import Context, Out, Problem, common, ready, today
from regctl.console.state import ConsoleState
from regctl.spend.ledger import (
    BY,
    BudgetStatus,
    SpendError,
    Usage,
    check_budgets,
    daily,
    exact,
    matches,
    month_fraction,
    parse_month,
)
from regctl.spend.report import render_svg, report_data

BUDGET_TTL = 30.0
KEEP_MONTHS = 3
TOP_GROUPS = 8
SVG = "image/svg+xml"


def _month(ctx: Context, day: dt.date) -> str:
    try:
        return parse_month(ctx.param("month", 7) or None, day)
    except (SpendError, UsageError):  # a bad month is a usage error since issue 22
        raise Problem(400, "bad_request", "month takes YYYY-MM") from None


def _by(ctx: Context) -> str:
    by = ctx.param("by", 20) or "provider"
    return by if by in BY else "provider"


def _months(day: dt.date, n: int = 12) -> list[str]:
    out, y, m = [], day.year, day.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def spend_page(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    day = today()
    month, by = _month(ctx, day), _by(ctx)
    context = common(state, snap, "spend")
    context.update(month=month, by=by, bys=BY, months=_months(day), files=state.options.usage)
    if not state.options.usage:
        context.update(data=None, error=None)
        return "spend.html.j2", context, 200
    source = state.spend
    try:
        usage = source.usage(month)
    except (SpendError, UsageError) as exc:  # unreadable, or gone since serve started
        context.update(data=None, error=str(exc))
        return "spend.html.j2", context, 200
    budgets, budget_errors = source.budgets()
    statuses = check_budgets(usage, budgets, day)
    data = report_data(usage, by, statuses, day)
    context.update(
        data=data,
        error=None,
        budget_errors=budget_errors,
        statuses=list(zip(statuses, data["budgets"], strict=True)),
        per_day=_per_day(usage, by, day),
        registry=source.registry,
    )
    return "spend.html.j2", context, 200


@exact
def _per_day(usage: Usage, by: str, day: dt.date) -> dict[str, Any]:
    """Days (rows) x the biggest groups (columns, the rest as one), as the table shows."""
    series = daily(usage, by)
    ranked = sorted(series, key=lambda g: (-sum(series[g].values(), Decimal(0)), g))
    shown, rest = ranked[:TOP_GROUPS], ranked[TOP_GROUPS:]
    elapsed, _days = month_fraction(usage.month, day)
    rows = []
    for d in range(1, max(elapsed, 0) + 1):
        key = f"{usage.month}-{d:02d}"
        cells = [series[g].get(key, Decimal(0)) for g in shown]
        other = sum((series[g].get(key, Decimal(0)) for g in rest), Decimal(0))
        total = sum(cells, Decimal(0)) + other
        rows.append((key, cells, other, total))
    return {"groups": shown, "other": bool(rest), "rows": rows}


def _usage_for_chart(state: ConsoleState, ctx: Context) -> tuple[Usage, str]:
    ready(state)
    if not state.options.usage:
        raise Problem(404, "not_found")
    try:
        return state.spend.usage(_month(ctx, today())), _by(ctx)
    except (SpendError, UsageError):
        raise Problem(404, "not_found") from None


def spend_chart(state: ConsoleState, ctx: Context) -> Out:
    usage, by = _usage_for_chart(state, ctx)
    return Response(render_svg(usage, by), media_type=SVG)


def burndown_chart(state: ConsoleState, ctx: Context) -> Out:
    usage, _by_unused = _usage_for_chart(state, ctx)
    scope = ctx.param("scope", 300)
    budgets, _errors = state.spend.budgets()
    found = next((b for b in budgets if str(b.get("scope")) == scope), None)
    if found is None:
        raise Problem(404, "not_found")
    status = check_budgets(usage, [found], today())[0]
    return Response(burndown_svg(usage, status, today()), media_type=SVG)


@exact
def burndown_svg(usage: Usage, status: BudgetStatus, as_of: dt.date) -> str:
    """What is left of a budget at the end of each day so far, the even pace to zero, and
    the run-rate forecast to the month's end. Plain SVG, deterministic bytes."""
    elapsed, days = month_fraction(usage.month, as_of)
    per_day = [Decimal(0)] * days
    for key, cell in usage.cells.items():
        if matches(status.scope, key):
            per_day[int(key[0][8:10]) - 1] += cell.cost
    monthly = status.monthly
    left, running = [], monthly
    for d in range(elapsed):
        running -= per_day[d]
        left.append(running)
    low = min([Decimal(0), *left, monthly - status.forecast])
    top = monthly
    span = float(top - low) or 1.0
    w, h, pad_l, pad_r, pad_t, pad_b = 560, 220, 64, 16, 30, 30
    pw, ph = w - pad_l - pad_r, h - pad_t - pad_b

    def x(day: float) -> float:
        return pad_l + (day - 1) * pw / max(days - 1, 1)

    def y(v: Decimal) -> float:
        return pad_t + (float(top - v) / span) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        f'<text x="{pad_l}" y="18" font-size="13">'
        f"{escape(f'Budget {status.scope}, {usage.month}: left of {monthly} USD')}</text>",
    ]
    for v in (top, (top + low) / 2, low):
        out.append(
            f'<line x1="{pad_l}" y1="{y(v):.1f}" x2="{w - pad_r}" y2="{y(v):.1f}" '
            f'stroke="#dddddd"/><text x="{pad_l - 6}" y="{y(v) + 4:.1f}" '
            f'text-anchor="end">{float(v):,.2f}</text>'
        )
    out.append(
        f'<line x1="{x(1):.1f}" y1="{y(monthly):.1f}" x2="{x(days):.1f}" y2="{y(Decimal(0)):.1f}" '
        'stroke="#999999" stroke-dasharray="4 4"><title>even pace</title></line>'
    )
    if left:
        pts = " ".join(f"{x(d + 1):.1f},{y(v):.1f}" for d, v in enumerate(left))
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="#0969da" stroke-width="2">'
            "<title>left</title></polyline>"
        )
        end = monthly - status.forecast
        out.append(
            f'<line x1="{x(elapsed):.1f}" y1="{y(left[-1]):.1f}" x2="{x(days):.1f}" '
            f'y2="{y(end):.1f}" stroke="#cf222e" stroke-dasharray="2 3">'
            "<title>forecast</title></line>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
