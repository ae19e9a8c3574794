"""Spend from usage JSONL files against the Registry's budgets, with a month-end forecast.

Reading is one pass: each line of the month is parsed once, checked against the usage
event schema (:mod:`regctl.client.usage_event`: the one the writer obeys) and added to
a small table keyed by (day, provider, model, environment, template); groups, budgets
and the chart are all computed from that table, so a million events cost little more
than parsing them. Costs are summed as exact ``Decimal`` in a context wide enough that
no sum is rounded. Lines of other months are skipped without parsing when they start
the way :class:`~regctl.client.usage_jsonl.JsonlSink` writes them (``{"ts":"YYYY-MM``).

Files are read through :class:`regctl.io.safelines.LineReader`: regular files only (a
FIFO or a device is an error, never a hang) and no line over
:data:`~regctl.client.usage_event.MAX_LINE_BYTES` held in memory. A line that is not a
valid event (bad JSON, a negative or non-finite cost, an impossible day, a number where
a name belongs, an over-long line) is *malformed*: counted, the first one named with its
reason, and shown by every report format; ``--check`` fails on it, because spend that
cannot be counted must not pass for spend that is under budget.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from regctl.base.errors import RegctlError, UsageError
from regctl.client.usage_event import MAX_LINE_BYTES, BadEvent, parse_line
from regctl.spend.reliability import Tally

BY = ("provider", "model", "env", "template", "day")
_KEY_INDEX = {"day": 0, "provider": 1, "model": 2, "env": 3, "template": 4}
#: exit codes of ``regctl spend --check`` (as regctl.cli.exitcodes: 2 is a usage error)
OK, EXCEEDED, WARNING = 0, 1, 3
#: Exact sums: 13 integer digits per event and 40 decimals fit many times over (the
#: default 28 digits would round a sum, and quantize() would raise on one).
CONTEXT = decimal.Context(prec=100, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


_F = TypeVar("_F", bound=Callable[..., Any])


def exact(fn: _F) -> _F:
    """Run ``fn`` in :data:`CONTEXT`, whatever context the caller has."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with decimal.localcontext(CONTEXT):
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]


class SpendError(RegctlError):
    """A usage file that cannot be read, or a chart that cannot be written (exit 1)."""


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
    """``FILE:LINE: why`` of the first malformed line (the reason, never the content)."""
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """(provider, model) -> outcomes and latencies (:mod:`regctl.spend.reliability`)."""


def parse_month(text: str | None, today: dt.date) -> str:
    """``YYYY-MM`` checked; ``None`` is this month (UTC)."""
    if text is None:
        return today.strftime("%Y-%m")
    try:
        dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise UsageError(f"--month takes YYYY-MM, got {text!r}") from None
    return text


def read_usage(
    paths: Sequence[str | Path], month: str, progress: Callable[[int], None] | None = None
) -> Usage:
    """Aggregate the events of ``month`` from JSONL files (see the module docstring).

    ``progress(n)`` is told of every ``n`` bytes read.
    """
    from regctl.io import safeio
    from regctl.io.safelines import LineReader

    usage = Usage(month)
    for path in paths:
        try:
            reader = LineReader(path, MAX_LINE_BYTES, on_bytes=progress)
        except safeio.FileMissing:  # nothing to work on: a usage error, like no registry
            raise UsageError(f"{path}: no such usage file") from None
        except safeio.SafeReadError as exc:
            raise SpendError(f"{path}: cannot read usage file: {_why(exc)}") from None
        with reader, decimal.localcontext(CONTEXT):
            try:
                _read_lines(reader, str(path), usage)
            except safeio.SafeReadError as exc:
                raise SpendError(f"{path}: cannot read usage file: {_why(exc)}") from None
    return usage


def _why(exc: Exception) -> str:
    return str(exc).removeprefix("cannot read: ")


def _read_lines(lines: Iterable[bytes | None], path: str, usage: Usage) -> None:
    cells = usage.cells
    tallies = usage.tallies
    head = b'{"ts":"'
    month, month_b = usage.month, usage.month.encode()
    for n, raw in enumerate(lines, 1):
        if raw is None:
            _malformed(usage, path, n, f"line over {MAX_LINE_BYTES} bytes")
            continue
        if raw.startswith(head) and raw[7:14] != month_b:
            usage.other_months += 1
            continue
        try:
            row = parse_line(raw)
        except BadEvent as exc:
            if raw.strip():
                _malformed(usage, path, n, str(exc))
            continue
        if row.day[:7] != month:
            usage.other_months += 1
            continue
        key = row[:5]
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell()
        if row.cost is None:
            cell.unpriced += 1
        else:
            cell.cost += row.cost
        cell.calls += 1
        cell.input_tokens += row.input_tokens
        cell.output_tokens += row.output_tokens
        tally = tallies.get(key[1:3])
        if tally is None:
            tally = tallies[key[1:3]] = Tally()
        tally.add(row.ok, row.latency_ms)
        usage.events += 1


def _malformed(usage: Usage, path: str, n: int, why: str) -> None:
    usage.malformed += 1
    if usage.first_malformed is None:
        usage.first_malformed = f"{path}:{n}: {why}"


def group_of(key: Key, by: str) -> str:
    return key[_KEY_INDEX[by]]


@exact
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


@exact
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
    @exact
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


@exact
def forecast(spent: Decimal, month: str, as_of: dt.date) -> Decimal:
    """Month-end spend at the run rate so far (the spend itself for a finished month)."""
    elapsed, days = month_fraction(month, as_of)
    if elapsed == 0:
        return spent
    return (spent * days / elapsed).quantize(Decimal("0.01"))


@exact
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


def exit_code(statuses: Iterable[BudgetStatus], malformed: int = 0) -> int:
    """1 when a budget is exceeded or a line is malformed, else 3 when one is past its
    warning, else 0.

    A malformed line is spend that could not be counted: it may hide any amount, so a
    check cannot pass while there is one.
    """
    seen = {s.status for s in statuses}
    if "exceeded" in seen or malformed:
        return EXCEEDED
    return WARNING if "warning" in seen else OK
