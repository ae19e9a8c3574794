"""The usage event and its one schema, shared by the writer and every reader.

:func:`regctl.client.usage.record` builds a :class:`UsageEvent` and refuses values this
schema would reject; ``regctl spend`` reads lines back with :func:`parse_line`, which
accepts exactly what the schema allows and names the first field it does not. A line
is one JSON object (UTF-8, at most :data:`MAX_LINE_BYTES` bytes) with:

==========================  ===========================================================
field                       value
==========================  ===========================================================
``ts``                      UTC time, ISO 8601 ``YYYY-MM-DDTHH:MM:SS[.fraction]Z`` (or
                            ``+00:00``), a real calendar day; required
``provider``, ``model``     non-empty strings; required
``environment``,            a string or null (``-`` in reports when null or absent)
``template``
``upstream_id``, ``api``,   a string or null
``capability``, ``via``,
``digest``, ``commit``
``input_tokens``,           whole numbers from 0 to 2**63-1 (absent: 0); cached input
``output_tokens``,          tokens not above input tokens
``cached_input_tokens``
``cost``                    USD as a decimal string in plain notation, ``0`` or more and
                            below 10**12 (no sign, no exponent, no NaN or Infinity), or
                            null (the model has no price)
``currency``                ``"USD"`` when present
``latency_ms``              a finite number from 0 (not a boolean), or null
``ok``                      a boolean when present
==========================  ===========================================================

A negative or non-finite cost, a token count that is not an integer, or an impossible
day would make spend wrong or uncountable without a word; each is a malformed line,
counted and shown by every reader. Other fields are ignored. Standard library only,
and nothing of :mod:`regctl.client.usage` or :mod:`regctl.client.resolved` is imported
here (both import this module).
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
import re
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from regctl.client.errors import ClientError

__all__ = [
    "MAX_COST",
    "MAX_LINE_BYTES",
    "MAX_TOKENS",
    "BadEvent",
    "Sink",
    "UsageError",
    "UsageEvent",
    "UsageRow",
    "parse_line",
]

#: A line longer than this is malformed (an event is about 500 bytes).
MAX_LINE_BYTES = 64 * 1024
#: Token counts are at most this (what a signed 64-bit column holds).
MAX_TOKENS = 2**63 - 1
#: A cost is below this many USD per call; more is a corrupt line, not a call.
MAX_COST = Decimal(10) ** 12
#: The longest latency accepted, in ms: a year (a larger figure is corrupt).
MAX_LATENCY_MS = 366 * 24 * 3600 * 1000.0


class UsageError(ClientError, ValueError):
    """A sink spec that names no sink, a sink that cannot start, or a value no event holds."""

    exit_code = 2


class BadEvent(ValueError):
    """A usage line outside the schema; ``str()`` names the field (never its value)."""


class Sink(Protocol):
    """Where usage events go."""

    def emit(self, event: UsageEvent) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


STATIC_NAMES = ("provider", "model", "upstream_id", "api", "capability", "environment",
                "template", "via", "digest", "commit")  # fmt: skip


class UsageEvent:
    """One recorded call. ``cost`` is exact USD, ``None`` when the model has no price.

    Fields: ``ts`` (UTC, ISO 8601 with milliseconds), ``provider``, ``model``
    (``provider/model``), ``upstream_id``, ``api``, ``capability``, ``environment``,
    ``template``, ``via``, ``digest`` (manifest), ``commit`` (registry source),
    ``input_tokens``, ``output_tokens``, ``cached_input_tokens``, ``cost``,
    ``latency_ms``, ``ok``.
    """

    # The per-model fields live in one shared tuple: setting 17 slots per call would
    # cost a third of the time budget of record().
    __slots__ = (
        "_fields",
        "_static",
        "cached_input_tokens",
        "cost",
        "input_tokens",
        "latency_ms",
        "ok",
        "output_tokens",
        "ts",
    )

    ts: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    cost: Decimal | None
    latency_ms: float | None
    ok: bool
    _static: str
    _fields: tuple[Any, ...]

    provider = property(lambda self: self._fields[0], doc="Provider id.")
    model = property(lambda self: self._fields[1], doc="``provider/model``.")
    upstream_id = property(lambda self: self._fields[2], doc="Model id sent upstream.")
    api = property(lambda self: self._fields[3], doc="Wire protocol.")
    capability = property(lambda self: self._fields[4], doc="Capability resolved for.")
    environment = property(lambda self: self._fields[5], doc="Manifest environment.")
    template = property(lambda self: self._fields[6], doc="Template resolved through.")
    via = property(lambda self: self._fields[7], doc="Why the model was chosen.")
    digest = property(lambda self: self._fields[8], doc="Manifest digest.")
    commit = property(lambda self: self._fields[9], doc="Registry source commit.")

    def as_dict(self) -> dict[str, Any]:
        """The event as JSON data (``cost`` as a decimal string, exact)."""
        out: dict[str, Any] = {"ts": self.ts}
        out.update(zip(STATIC_NAMES, self._fields))
        out.update(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_input_tokens=self.cached_input_tokens,
            cost=None if self.cost is None else format(self.cost, "f"),
            currency="USD",
            latency_ms=self.latency_ms,
            ok=self.ok,
        )
        return out

    def to_json(self) -> str:
        """One JSON line (no newline), the same data as :meth:`as_dict`.

        Built by hand around a per-model cached fragment: ``json.dumps`` of the whole
        dict would cost more than the rest of ``record()`` together. ``record()`` has
        already refused what JSON cannot hold (NaN, Infinity).
        """
        cost = "null" if self.cost is None else f'"{self.cost:f}"'
        lat = "null" if self.latency_ms is None else repr(self.latency_ms)
        return (
            f'{{"ts":"{self.ts}",{self._static},"input_tokens":{self.input_tokens},'
            f'"output_tokens":{self.output_tokens},'
            f'"cached_input_tokens":{self.cached_input_tokens},"cost":{cost},'
            f'"currency":"USD","latency_ms":{lat},"ok":{"true" if self.ok else "false"}}}'
        )

    def __repr__(self) -> str:
        return f"UsageEvent({self.model!r}, cost={self.cost!r}, ts={self.ts!r})"


# -- reading: the schema ----------------------------------------------------------------


class UsageRow(NamedTuple):
    """What a report needs of one valid line."""

    day: str  # YYYY-MM-DD (UTC)
    provider: str
    model: str
    environment: str  # "-" when none
    template: str  # "-" when none
    cost: Decimal | None
    input_tokens: int
    output_tokens: int
    ok: bool  # true when absent
    latency_ms: int | float | None


# re.ASCII: \d would also match full-width and other digits, which int() reads.
_TS = re.compile(
    r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{1,9})?(?:Z|\+00:00)",
    re.ASCII,
)
# Plain notation only: no sign, exponent, NaN, Infinity, spaces or underscores (all of
# which Decimal() would take), and fewer than 13 integer digits (MAX_COST).
_COST = re.compile(r"(?:0|[1-9]\d{0,11})(?:\.\d{1,40})?", re.ASCII)
_days: dict[str, bool] = {}
_STR_OR_NONE = frozenset({str, type(None)})
_OPTIONAL_STR = ("environment", "template", "upstream_id", "api", "capability", "via",
                 "digest", "commit")  # fmt: skip


def _constant(name: str) -> Any:
    raise BadEvent(f"{name} is not a JSON number")


# One scanner for every line, called directly: json.loads(..., parse_constant=...) would
# build a decoder per call, and JSONDecoder.decode adds two regex passes in Python.
_scan = json.scanner.make_scanner(json.JSONDecoder(parse_constant=_constant))  # type: ignore[arg-type]


def _decode(text: str) -> Any:
    try:
        value, end = _scan(text, 0)
    except StopIteration:  # nothing JSON at the start (leading space, garbage)
        raise ValueError("not JSON") from None
    if end != len(text) and text[end:].strip():
        raise ValueError("text after the JSON value")
    return value


def valid_day(day: str) -> bool:
    """Whether ``YYYY-MM-DD`` is a day of the calendar (cached: a month has few)."""
    ok = _days.get(day)
    if ok is None:
        try:
            dt.date(int(day[:4]), int(day[5:7]), int(day[8:10]))
            ok = True
        except ValueError:
            ok = False
        if len(_days) > 100_000:
            _days.clear()
        _days[day] = ok
    return ok


def parse_line(raw: bytes | str) -> UsageRow:
    """One line of a usage file as a :class:`UsageRow`, or :class:`BadEvent` saying why not."""
    try:
        # Decoded here, strictly: json.loads(bytes) would guess UTF-16/32 and let
        # encoded surrogates through.
        d = _decode(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except BadEvent:
        raise
    except (ValueError, RecursionError):  # UnicodeDecodeError (not UTF-8); deep nesting
        raise BadEvent("not a JSON object (or not UTF-8)") from None
    if type(d) is not dict:
        raise BadEvent("not a JSON object")
    return parse_event(d)


def parse_event(d: dict[str, Any]) -> UsageRow:
    """An event already parsed from JSON, checked against the schema.

    One pass of cheap checks for the good line (``spend`` reads millions); the reason
    is worked out by :func:`_why` only for a line that fails them.
    """
    get = d.get
    ts, provider, model = get("ts"), get("provider"), get("model")
    cost_text, lat = get("cost"), get("latency_ms")
    inp, out, cached = (
        get("input_tokens", 0),
        get("output_tokens", 0),
        get("cached_input_tokens", 0),
    )
    if not (
        type(ts) is str
        and _TS.fullmatch(ts) is not None
        and valid_day(ts[:10])
        and type(provider) is str
        and provider
        and type(model) is str
        and model
        and _STR_OR_NONE.issuperset(map(type, map(get, _OPTIONAL_STR)))
        and (cost_text is None or (type(cost_text) is str and _COST.fullmatch(cost_text)))
        and type(inp) is int
        and type(out) is int
        and type(cached) is int
        and 0 <= cached <= inp <= MAX_TOKENS
        and 0 <= out <= MAX_TOKENS
        and (lat is None or (type(lat) in (int, float) and 0 <= lat <= MAX_LATENCY_MS))
        and get("currency", "USD") == "USD"
        and type(get("ok", True)) is bool
    ):
        raise BadEvent(_why(d))
    env, template = get("environment") or "-", get("template") or "-"
    if not (provider.isascii() and model.isascii() and env.isascii() and template.isascii()):
        for text in (provider, model, env, template):
            _unicode(text)
    cost = None if cost_text is None else Decimal(cost_text)
    ok = get("ok", True)
    return _row(UsageRow, (ts[:10], provider, model, env, template, cost, inp, out, ok, lat))


_row = tuple.__new__  # a NamedTuple's own __new__ is Python code: a third of the time


def _why(d: dict[str, Any]) -> str:
    """The first field of ``d`` outside the schema, in words (never its value)."""
    ts = d.get("ts")
    if type(ts) is not str or _TS.fullmatch(ts) is None or not valid_day(ts[:10]):
        return "ts is not a UTC ISO 8601 timestamp of a real day"
    for name in ("provider", "model"):
        v = d.get(name)
        if type(v) is not str or not v:
            return f"{name} is not a non-empty string"
    for name in _OPTIONAL_STR:
        v = d.get(name)
        if v is not None and type(v) is not str:
            return f"{name} is not a string or null"
    cost = d.get("cost")
    if cost is not None and (type(cost) is not str or _COST.fullmatch(cost) is None):
        return "cost is not a decimal string from 0 to below 10**12, or null"
    for name in ("input_tokens", "output_tokens", "cached_input_tokens"):
        n = d.get(name, 0)
        if type(n) is not int or not 0 <= n <= MAX_TOKENS:
            return f"{name} is not a whole number from 0 to 2**63-1"
    if d.get("cached_input_tokens", 0) > d.get("input_tokens", 0):
        return "cached_input_tokens is over input_tokens"
    lat = d.get("latency_ms")
    if lat is not None and (type(lat) not in (int, float) or not 0 <= lat <= MAX_LATENCY_MS):
        return "latency_ms is not a finite number from 0, or null"  # NaN fails the range
    if d.get("currency", "USD") != "USD":
        return "currency is not USD"
    return "ok is not a boolean"


def _unicode(text: str) -> None:
    # JSON's "\ud800" escape gives a lone surrogate: no output stream could print it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadEvent("a name holds a lone surrogate (not Unicode text)") from None
