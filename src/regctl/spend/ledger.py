"""Spend from usage JSONL files against the Registry's budgets, with a month-end forecast.

Reading is one pass: each line of the month is parsed once and added to a small table
keyed by (day, provider, model, environment, template); groups, budgets and the chart
are all computed from that table, so a million events cost little more than parsing
them. Costs are summed as exact ``Decimal``. Lines of other months are skipped
without parsing when they start the way :class:`~regctl.client.usage_jsonl.JsonlSink`
writes them (``{"ts":"YYYY-MM``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError

BY = ("provider", "model", "env", "template", "day")
_KEY_INDEX = {"day": 0, "provider": 1, "model": 2, "env": 3, "template": 4}
#: exit codes of ``regctl spend --check``
OK, EXCEEDED, WARNING = 0, 1, 2


class SpendError(RegctlError):
    """A usage file that cannot be read, or a bad month."""

    exit_code = 3


Key = tuple[str, str, str, str, str]  # day, provider, model, env, template


@dataclass
class Cell:
    """Totals of one (day, provider, model, env, template)."""

    cost: Decimal = Decimal(0)
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    unpriced: int = 0


@dataclass
class Usage:
    """The month's events, aggregated."""

    month: str
    cells: dict[Key, Cell] = field(default_factory=dict)
    events: int = 0
    other_months: int = 0
    malformed: int = 0
    first_malformed: str | None = None


def parse_month(text: str | None, today: dt.date) -> str:
    """``YYYY-MM`` checked; ``None`` is this month (UTC)."""
    if text is None:
        return today.strftime("%Y-%m")
    try:
        dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise SpendError(f"--month takes YYYY-MM, got {text!r}") from None
    return text


def read_usage(
    paths: Sequence[str | Path], month: str, progress: Callable[[int], None] | None = None
) -> Usage:
    """Aggregate the events of ``month`` from JSONL files (see the module docstring).

    ``progress(n)`` is told of every ``n`` bytes read (every 65,536 lines and per file).
    """
    usage = Usage(month)
    cells = usage.cells
    loads = json.loads
    head = b'{"ts":"'
    month_b = month.encode()
    dec = Decimal
    for path in paths:
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below; a with-block costs per file only
        except OSError as exc:
            raise SpendError(f"{path}: cannot read usage file: {exc.strerror}") from None
        with f:
            told = 0
            for n, raw in enumerate(f, 1):
                if progress is not None and not n & 0xFFFF:
                    at = f.tell()
                    progress(at - told)
                    told = at
                if raw.startswith(head) and raw[7:14] != month_b:
                    usage.other_months += 1
                    continue
                try:
                    d = loads(raw)
                    ts = d["ts"]
                    if ts[:7] != month:
                        usage.other_months += 1
                        continue
                    key = (ts[:10], d["provider"], d["model"], d.get("environment") or "-",
                           d.get("template") or "-")  # fmt: skip
                    cost = d.get("cost")
                    cell = cells.get(key)
                    if cell is None:
                        cell = cells[key] = Cell()
                    if cost is None:
                        cell.unpriced += 1
                    else:
                        cell.cost += dec(cost)
                    cell.calls += 1
                    cell.input_tokens += d.get("input_tokens") or 0
                    cell.output_tokens += d.get("output_tokens") or 0
                except (ValueError, KeyError, TypeError, ArithmeticError):
                    if not raw.strip():
                        continue
                    usage.malformed += 1
                    if usage.first_malformed is None:
                        usage.first_malformed = f"{path}:{n}"
                    continue
                usage.events += 1
            if progress is not None:
                progress(f.tell() - told)
    return usage


def group_of(key: Key, by: str) -> str:
    return key[_KEY_INDEX[by]]


def totals(usage: Usage, by: str) -> dict[str, Cell]:
    """Totals per group, groups sorted by name."""
    out: dict[str, Cell] = {}
    i = _KEY_INDEX[by]
    for key, c in usage.cells.items():
        t = out.setdefault(key[i], Cell())
        t.cost += c.cost
        t.calls += c.calls
        t.input_tokens += c.input_tokens
        t.output_tokens += c.output_tokens
        t.unpriced += c.unpriced
    return dict(sorted(out.items()))


def daily(usage: Usage, by: str) -> dict[str, dict[str, Decimal]]:
    """Group -> day (``YYYY-MM-DD``) -> cost."""
    out: dict[str, dict[str, Decimal]] = {}
    i = _KEY_INDEX[by]
    for key, c in usage.cells.items():
        days = out.setdefault(key[i], {})
        days[key[0]] = days.get(key[0], Decimal(0)) + c.cost
    return dict(sorted(out.items()))


def matches(scope: str, key: Key) -> bool:
    """Whether a budget ``scope`` covers events with this key."""
    if scope == "all":
        return True
    kind, _, name = scope.partition(":")
    index = {"provider": 1, "model": 2, "env": 3, "template": 4}[kind]
    return key[index] == name


@dataclass(frozen=True)
class BudgetStatus:
    """One budget over one month."""

    scope: str
    monthly: Decimal
    warn_at: Decimal
    spent: Decimal
    forecast: Decimal
    status: str  # "ok", "warning" or "exceeded"

    @property
    def used(self) -> Decimal:
        return self.spent / self.monthly


def month_fraction(month: str, as_of: dt.date) -> tuple[int, int]:
    """(days elapsed counting ``as_of``, days in the month); past months are complete."""
    year, mon = (int(p) for p in month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    first = dt.date(year, mon, 1)
    if as_of < first:
        return 0, days
    if as_of >= first + dt.timedelta(days=days):
        return days, days
    return as_of.day, days


def forecast(spent: Decimal, month: str, as_of: dt.date) -> Decimal:
    """Month-end spend at the run rate so far (the spend itself for a finished month)."""
    elapsed, days = month_fraction(month, as_of)
    if elapsed == 0:
        return spent
    return (spent * days / elapsed).quantize(Decimal("0.01"))


def check_budgets(
    usage: Usage, budgets: Iterable[dict[str, Any]], as_of: dt.date
) -> list[BudgetStatus]:
    """Each budget's spend, forecast and status, in the registry's order."""
    out = []
    for b in budgets:
        scope = str(b["scope"])
        monthly = Decimal(repr(b["monthly"]))
        warn_at = Decimal(repr(b.get("warn_at", 0.8)))
        spent = sum((c.cost for k, c in usage.cells.items() if matches(scope, k)), Decimal(0))
        status = "ok"
        if spent > monthly:
            status = "exceeded"
        elif spent >= monthly * warn_at:
            status = "warning"
        out.append(
            BudgetStatus(
                scope, monthly, warn_at, spent, forecast(spent, usage.month, as_of), status
            )
        )
    return out


def exit_code(statuses: Iterable[BudgetStatus]) -> int:
    """1 when a budget is exceeded, else 2 when one is past its warning, else 0."""
    seen = {s.status for s in statuses}
    return EXCEEDED if "exceeded" in seen else WARNING if "warning" in seen else OK
