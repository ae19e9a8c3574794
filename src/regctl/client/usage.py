"""Usage events: what one call cost and which registry version chose its model.

:meth:`regctl.client.Resolved.record` builds a :class:`UsageEvent` (provider, model,
capability, environment, template, exact ``Decimal`` cost from the manifest prices,
manifest digest and source commit, UTC timestamp) and hands it to the configured sinks::

    from regctl.client import usage

    usage.configure("jsonl:/var/log/app/usage.jsonl")     # or REGCTL_USAGE_SINKS
    chosen = registry.resolve("chat")
    ...                                                    # call the model
    chosen.record(input_tokens=1200, output_tokens=300, latency_ms=840)

Sinks are objects with ``emit(event)``, ``flush()`` and ``close()``. A spec string
``NAME:ARG`` names one: ``jsonl:PATH`` (:class:`~regctl.client.usage_jsonl.JsonlSink`),
``otel`` (:class:`~regctl.client.usage_otel.OTelSink`, the only place
``opentelemetry-api`` is imported), or any entry point ``NAME`` in the group
``regctl.usage_sinks`` (a callable ``(arg) -> sink``). Standard library only; this
module is imported on the first ``record()``.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from regctl.client.errors import ClientError, PricingError

if TYPE_CHECKING:
    from regctl.client.resolved import Resolved

__all__ = [
    "ENTRY_POINT_GROUP",
    "Sink",
    "UsageError",
    "UsageEvent",
    "configure",
    "flush",
    "make_sink",
    "record",
    "sinks",
]

ENTRY_POINT_GROUP = "regctl.usage_sinks"
ENV_VAR = "REGCTL_USAGE_SINKS"


class UsageError(ClientError, ValueError):
    """A sink spec that names no sink, or a sink that cannot start."""

    exit_code = 2


class Sink(Protocol):
    """Where usage events go."""

    def emit(self, event: UsageEvent) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def _jstr(value: str | None) -> str:
    if value is None:
        return "null"
    import json

    return json.dumps(value, ensure_ascii=False)


_STATIC_NAMES = ("provider", "model", "upstream_id", "api", "capability", "environment",
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
        out.update(zip(_STATIC_NAMES, self._fields))
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
        dict would cost more than the rest of :func:`record` together.
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


# -- the per-model constants, computed once ---------------------------------------------

# Prices as whole numbers of 10**exp USD per token, so that a call's cost is integer
# arithmetic and one Decimal at the end (exact, and ~4x cheaper than Decimal maths).
_Prices = tuple[int | None, int | None, int | None, int]
_statics: dict[tuple[Any, ...], tuple[str, _Prices, tuple[str, ...]]] = {}


def _static(r: Resolved) -> tuple[str, _Prices, tuple[str, ...]]:
    data = r._origin
    digest = data.digest if data is not None else ""
    key = (digest, r.model.key, r.capability, r.template, r.via)
    hit = _statics.get(key)
    if hit is not None:
        return hit
    top = data.top if data is not None else {}
    raw_source = top.get("source")
    source: dict[str, Any] = raw_source if isinstance(raw_source, dict) else {}
    commit = source.get("commit") if isinstance(source.get("commit"), str) else None
    env = top.get("environment") if isinstance(top.get("environment"), str) else None
    m, p = r.model, r.model.pricing

    def price(field: str, fallback: str | None = None) -> Decimal | None:
        v = p.get(field, p.get(fallback) if fallback else None)
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        return Decimal(repr(v)) if ok else None

    priced = bool(p) and p.get("currency", "USD") == "USD"
    exact = (
        [
            price("input_per_mtok"),
            price("cached_input_per_mtok", "input_per_mtok"),
            price("output_per_mtok"),
        ]
        if priced
        else [None, None, None]
    )
    places = max((-int(d.as_tuple().exponent) for d in exact if d is not None), default=0)
    ints = [None if d is None else int(d.scaleb(places)) for d in exact]
    prices: _Prices = (ints[0], ints[1], ints[2], -(places + 6))
    fields = (m.provider, m.key, m.upstream_id, r.api, r.capability, env, r.template, r.via,
              digest, commit)  # fmt: skip
    text = ",".join(f'"{n}":{_jstr(v)}' for n, v in zip(_STATIC_NAMES, fields))
    hit = (text, prices, fields)  # type: ignore[assignment]
    if len(_statics) > 10_000:  # many manifests over a long life: start afresh
        _statics.clear()
    _statics[key] = hit  # type: ignore[assignment]
    return hit  # type: ignore[return-value]


_new = object.__new__
_dec = Decimal
_ZERO = Decimal(0)
_clock: tuple[int, str] = (-1, "")


def _timestamp(now: float) -> str:
    """``2026-11-23T20:59:01.123Z``; the part up to the second is formatted once a second."""
    global _clock
    sec = int(now)
    last = _clock
    if last[0] != sec:
        last = (sec, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)))
        _clock = last
    return f"{last[1]}.{int((now - sec) * 1000):03d}Z"


def _count(name: str, n: Any) -> int:
    if type(n) is not int or n < 0:
        raise PricingError(f"{name} must be a whole number >= 0, got {n!r}")
    return n


def record(
    r: Resolved,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    latency_ms: float | None = None,
    ok: bool = True,
    sink: Sink | Iterable[Sink] | None = None,
) -> UsageEvent:
    """See :meth:`regctl.client.Resolved.record`."""
    if type(input_tokens) is not int or input_tokens < 0:
        _count("input_tokens", input_tokens)
    if type(output_tokens) is not int or output_tokens < 0:
        _count("output_tokens", output_tokens)
    if cached_input_tokens:
        _count("cached_input_tokens", cached_input_tokens)
        if cached_input_tokens > input_tokens:
            raise PricingError("cached_input_tokens cannot exceed input_tokens")
    static, (p_in, p_cached, p_out, exp), fields = _static(r)
    cost: Decimal | None = None
    if (p_in is not None or not input_tokens) and (p_out is not None or not output_tokens):
        units = 0
        if input_tokens - cached_input_tokens:
            units += (input_tokens - cached_input_tokens) * p_in  # type: ignore[operator]
        if cached_input_tokens:
            units += cached_input_tokens * p_cached  # type: ignore[operator]
        if output_tokens:
            units += output_tokens * p_out  # type: ignore[operator]
        cost = _dec(units).scaleb(exp) if units else _ZERO
    ev = _new(UsageEvent)
    ev.ts = _timestamp(time.time())
    ev._fields = fields
    ev._static = static
    ev.input_tokens = input_tokens
    ev.output_tokens = output_tokens
    ev.cached_input_tokens = cached_input_tokens
    ev.cost = cost
    ev.latency_ms = None if latency_ms is None else float(latency_ms)
    ev.ok = bool(ok)
    targets: Iterable[Sink]
    if sink is None:
        targets = _sinks if _sinks is not None else _from_env()
    else:
        targets = (sink,) if hasattr(sink, "emit") else tuple(sink)  # type: ignore[assignment]
    for t in targets:
        t.emit(ev)
    return ev


# -- configuration ----------------------------------------------------------------------

_sinks: tuple[Sink, ...] | None = None
_lock = threading.Lock()


def make_sink(spec: str) -> Sink:
    """A sink from ``NAME:ARG`` (``jsonl:PATH``, ``otel``, or an entry point name)."""
    name, _, arg = spec.strip().partition(":")
    if name == "jsonl":
        from regctl.client.usage_jsonl import JsonlSink

        if not arg:
            raise UsageError("usage sink 'jsonl' needs a path: jsonl:PATH")
        return JsonlSink(arg)
    if name == "otel":
        from regctl.client.usage_otel import OTelSink

        return OTelSink()
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        raise UsageError(
            f"unknown usage sink {name!r}: use jsonl:PATH, otel, or install a plugin "
            f"with an entry point in {ENTRY_POINT_GROUP!r}"
        )
    try:
        factory = found[0].load()
        made: Sink = factory(arg)
    except Exception as exc:  # a plugin's own failure, named without its arguments
        raise UsageError(f"usage sink {name!r} failed to start: {type(exc).__name__}") from exc
    return made


def configure(*targets: Sink | str) -> tuple[Sink, ...]:
    """Set the sinks every :func:`record` without ``sink=`` writes to (replaces the old).

    Strings are specs for :func:`make_sink`. The old sinks are flushed and closed.
    ``configure()`` with nothing turns recording off (events are still returned).
    """
    global _sinks
    made = tuple(make_sink(t) if isinstance(t, str) else t for t in targets)
    with _lock:
        old, _sinks = _sinks, made
    for s in old or ():
        s.close()
    return made


def _from_env() -> tuple[Sink, ...]:
    global _sinks
    with _lock:
        if _sinks is None:
            specs = [s for s in os.environ.get(ENV_VAR, "").split(",") if s.strip()]
            _sinks = tuple(make_sink(s) for s in specs)
        return _sinks


def sinks() -> tuple[Sink, ...]:
    """The configured sinks (read from ``$REGCTL_USAGE_SINKS`` on first use)."""
    return _sinks if _sinks is not None else _from_env()


def flush() -> None:
    """Flush every configured sink (also done at interpreter exit)."""
    for s in _sinks or ():
        s.flush()


atexit.register(flush)
