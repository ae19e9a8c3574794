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
from typing import Any, Protocol

from regctl.client.errors import PricingError
from regctl.client.usage_event import (
    MAX_COST,
    MAX_LATENCY_MS,
    MAX_TOKENS,
    STATIC_NAMES,
    Sink,
    UsageError,
    UsageEvent,
)

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


class Chosen(Protocol):
    """What :func:`record` reads of a :class:`~regctl.client.Resolved`.

    A protocol rather than an import: ``resolved`` imports this module on the first
    ``record()``, and nothing here imports it back.
    """

    _origin: Any
    model: Any
    capability: str
    template: str | None
    via: str

    @property
    def api(self) -> str: ...


def _jstr(value: str | None) -> str:
    if value is None:
        return "null"
    import json

    return json.dumps(value, ensure_ascii=False)


# -- the per-model constants, computed once ---------------------------------------------

# Prices as whole numbers of 10**exp USD per token, so that a call's cost is integer
# arithmetic and one Decimal at the end (exact, and ~4x cheaper than Decimal maths).
_Prices = tuple[int | None, int | None, int | None, int]
_statics: dict[tuple[Any, ...], tuple[str, _Prices, tuple[str, ...]]] = {}


def _static(r: Chosen) -> tuple[str, _Prices, tuple[str, ...]]:
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
    text = ",".join(f'"{n}":{_jstr(v)}' for n, v in zip(STATIC_NAMES, fields))
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
    if type(n) is not int or not 0 <= n <= MAX_TOKENS:
        raise PricingError(f"{name} must be a whole number from 0 to 2**63-1, got {n!r:.40}")
    return n


def _latency(value: Any) -> float:
    """``latency_ms`` as the schema holds it: a finite number of ms from 0 (not NaN)."""
    if type(value) is bool:
        raise UsageError("latency_ms must be a number of milliseconds, not a boolean")
    try:
        lat = float(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(
            f"latency_ms must be a number of milliseconds, got {type(value).__name__}"
        ) from None
    if not 0.0 <= lat <= MAX_LATENCY_MS:  # NaN compares false: refused too
        raise UsageError(f"latency_ms must be finite and from 0 to a year, got {lat!r}")
    return lat


def record(
    r: Chosen,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    latency_ms: float | None = None,
    ok: bool = True,
    sink: Sink | Iterable[Sink] | None = None,
) -> UsageEvent:
    """See :meth:`regctl.client.Resolved.record`."""
    # Refuse here what a reader would skip as malformed: a recorded call never vanishes
    # from spend (see usage_event for the schema).
    if type(input_tokens) is not int or not 0 <= input_tokens <= MAX_TOKENS:
        _count("input_tokens", input_tokens)
    if type(output_tokens) is not int or not 0 <= output_tokens <= MAX_TOKENS:
        _count("output_tokens", output_tokens)
    lat = None if latency_ms is None else _latency(latency_ms)
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
        if cost >= MAX_COST:
            raise PricingError("the call's cost is 10**12 USD or more: token counts too large")
    ev = _new(UsageEvent)
    ev.ts = _timestamp(time.time())
    ev._fields = fields
    ev._static = static
    ev.input_tokens = input_tokens
    ev.output_tokens = output_tokens
    ev.cached_input_tokens = cached_input_tokens
    ev.cost = cost
    ev.latency_ms = lat
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
