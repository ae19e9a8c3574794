"""Rate limits and budgets at call time: :meth:`regctl.client.Resolved.acquire`.

A call to a model is admitted when every limit that applies to it has room:

- ``rate_limits`` of the model's provider and of the model itself: ``rpm`` (requests per
  minute) and ``tpm`` (tokens per minute, counted when ``acquire(tokens=N)`` says how
  many the call will use). Each is a GCRA meter: ``rpm`` admits one request every
  ``60/rpm`` seconds with a burst of one second's worth (at least one request), the way
  providers meter them; ``tpm`` lets one call use up to the whole minute's tokens;
- ``budgets`` whose scope matches the call (``all``, ``provider:ID``, ``model:KEY``,
  ``env:NAME`` of the manifest, ``template:ID`` it was resolved through) and whose
  ``on_exceed`` is ``refuse`` or ``fallback``: the month's spend (UTC) must be below the
  limit. ``warn`` budgets only log (once a month per process) on the ``regctl.client``
  logger, as do all budgets past their ``warn_at``.

Spend is counted by :meth:`~regctl.client.Resolved.record`: the exact cost of each
recorded call is added to the counter of every budget that matches it.

The counters live in the *backend*: ``memory`` (this process; the default) or a Redis
server shared by a fleet, named by ``$REGCTL_LIMITS_URL`` or the registry's
``policy.limits.backend`` (``redis://HOST:PORT/DB``; ``rediss://`` for TLS; a password
only in the variable). Keys start with ``regctl:<registry name>:``. When the backend
cannot be reached, ``policy.limits.on_backend_error`` decides: ``open`` (default) admits
the call and logs, ``closed`` raises :class:`~regctl.client.LimitsUnavailable`.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from decimal import Decimal
from typing import Any, NamedTuple

from regctl.base.i18n import msg
from regctl.client import _policy
from regctl.client._limits_backends import Backend, BudgetCheck, MemoryBackend, Rate
from regctl.client.errors import BudgetExceeded, LimitsUnavailable, PricingError, RateLimited

__all__ = ["ENV_VAR", "acquire", "backend", "reset", "spent"]

ENV_VAR = "REGCTL_LIMITS_URL"
_log = logging.getLogger("regctl.client")
_MINUTE_US = 60_000_000.0
_SPEND_TTL = 40 * 86400  # a month's counter outlives the month by more than a week
_MODES = {"warn": 0, "refuse": 1, "fallback": 2}


class _RateSpec(NamedTuple):
    label: str  # "provider:openai rpm"
    key: str
    period: float  # microseconds per unit
    cap: float  # microseconds of burst
    tokens: bool


class _BudgetSpec(NamedTuple):
    scope: str
    key: str  # the month is appended
    limit: int  # nano-USD
    mode: int
    level: int  # warn_at, nano-USD
    monthly: float


class Plan(NamedTuple):
    """The limits that apply to one resolved model (cached per manifest and model)."""

    rates: tuple[_RateSpec, ...]
    budgets: tuple[_BudgetSpec, ...]
    policy: _policy.Policy


_plans: dict[tuple[Any, ...], Plan] = {}


def _rates(prefix: str, owner: str, limits: Any) -> list[_RateSpec]:
    out = []
    rpm, tpm = limits.get("rpm"), limits.get("tpm")
    if type(rpm) is int and rpm > 0:
        period = _MINUTE_US / rpm
        burst = math.ceil(rpm / 60)  # one second's worth, at least one request
        out.append(_RateSpec(f"{owner} rpm", f"{prefix}rl:{owner}:rpm", period,
                             burst * period, False))  # fmt: skip
    if type(tpm) is int and tpm > 0:
        out.append(_RateSpec(f"{owner} tpm", f"{prefix}rl:{owner}:tpm", _MINUTE_US / tpm,
                             _MINUTE_US, True))  # fmt: skip
    return out


def plan(r: Any) -> Plan:
    """The :class:`Plan` of a :class:`~regctl.client.Resolved`."""
    data = r._origin
    key = (data.digest if data is not None else "", r.model.key, r.template)
    hit = _plans.get(key)
    if hit is not None:
        return hit
    pol = _policy.of(data)
    top = data.top if data is not None else {}
    raw_reg = top.get("registry")
    reg: dict[str, Any] = raw_reg if isinstance(raw_reg, dict) else {}
    name = reg.get("name") if isinstance(reg.get("name"), str) else "-"
    prefix = f"regctl:{name}:"
    rates = _rates(prefix, f"provider:{r.provider.id}", r.provider.rate_limits)
    rates += _rates(prefix, f"model:{r.model.key}", r.model.rate_limits)
    env = top.get("environment")
    scopes = {"all", f"provider:{r.provider.id}", f"model:{r.model.key}"}
    if isinstance(env, str):
        scopes.add(f"env:{env}")
    if r.template:
        scopes.add(f"template:{r.template}")
    budgets = tuple(
        _BudgetSpec(
            b.scope,
            f"{prefix}spend:{b.scope}:",
            _nano(b.monthly),
            _MODES[b.on_exceed],
            _nano(b.monthly * b.warn_at),
            b.monthly,
        )
        for b in pol.budgets
        if b.scope in scopes
    )
    hit = Plan(tuple(rates), budgets, pol)
    if len(_plans) > 10_000:
        _plans.clear()
    _plans[key] = hit
    return hit


def _nano(usd: float | Decimal) -> int:
    return math.ceil(Decimal(repr(usd) if isinstance(usd, float) else usd) * 1_000_000_000)


# -- backends ---------------------------------------------------------------------------

_backends: dict[str, Backend] = {}
_lock = threading.Lock()


def backend(policy: _policy.Policy | None = None) -> Backend:
    """The backend for ``policy``: ``$REGCTL_LIMITS_URL``, else its ``limits.backend``."""
    url = os.environ.get(ENV_VAR) or (policy.backend if policy is not None else "memory")
    found = _backends.get(url)
    if found is None:
        with _lock:
            found = _backends.get(url)
            if found is None:
                if url == "memory":
                    found = MemoryBackend()
                else:
                    from regctl.client._limits_backends import RedisBackend

                    found = RedisBackend(url)
                _backends[url] = found
    return found


def reset() -> None:
    """Forget every backend of this process (and the memory counters): tests, a fresh start."""
    with _lock:
        _backends.clear()
        _plans.clear()
        _said.clear()


# -- logging once -----------------------------------------------------------------------

_said: dict[tuple[str, str, str], float] = {}


def _once(kind: str, scope: str, month: str, text: str) -> None:
    from regctl.base.i18n import localize

    if (kind, scope, month) not in _said:
        _said[(kind, scope, month)] = time.time()
        _log.warning("%s", localize(text))


def _down(exc: Exception, closed: bool) -> None:
    if closed:
        raise LimitsUnavailable(msg("limits backend unavailable: {why}", why=str(exc))) from None
    now = time.monotonic()
    last = _said.get(("down", "", ""), 0.0)
    if now - last > 10:  # one warning per 10 s, not one per call
        _said[("down", "", "")] = now
        _log.warning("%s", msg("limits backend unavailable, admitting calls: {why}", why=str(exc)))


_month_cache: tuple[int, str] = (-1, "")


def _month() -> str:
    global _month_cache
    hour = int(time.time() // 3600)
    if _month_cache[0] != hour:
        _month_cache = (hour, time.strftime("%Y-%m", time.gmtime()))
    return _month_cache[1]


# -- the two calls ----------------------------------------------------------------------


def acquire(r: Any, tokens: int = 0, timeout: float = 0) -> None:
    """See :meth:`regctl.client.Resolved.acquire`."""
    p = plan(r)
    if not p.rates and not p.budgets:
        return
    if type(tokens) is not int or tokens < 0:
        raise PricingError(f"tokens must be a whole number >= 0, got {tokens!r}")
    if not isinstance(timeout, (int, float)) or not timeout >= 0:
        raise ValueError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
    rates: list[Rate] = []
    used: list[_RateSpec] = []
    for s in p.rates:
        cost = tokens if s.tokens else 1
        if not cost:
            continue
        if cost * s.period > s.cap:
            raise RateLimited(
                msg(
                    "a call of {tokens} tokens is above {limit} of {model}: it never fits",
                    tokens=tokens,
                    limit=s.label,
                    model=r.model.key,
                ),
                math.inf,
                s.label,
            )
        rates.append((s.key, s.period, s.cap, cost))
        used.append(s)
    month = _month()
    checks: list[BudgetCheck] = [(b.key + month, b.limit, b.mode, b.level) for b in p.budgets]
    if not rates and not checks:
        return  # only a tpm limit, and the call says no tokens: nothing to ask the backend
    be = backend(p.policy)
    deadline = time.monotonic() + timeout
    while True:
        try:
            code, value, index = be.admit(rates, checks)
        except Exception as exc:  # the backend's failure, never the caller's
            _down(exc, p.policy.fail_closed)
            return
        if code == 0:
            if index:
                _warn_budget(p.budgets[index - 1], value, month)
            return
        if code == 2:
            b = p.budgets[index - 1]
            spent = value / 1e9
            if b.mode == 0:  # pragma: no cover - the backends never refuse a warn budget
                return
            raise BudgetExceeded(
                msg(
                    "budget {scope} is spent for {month}: {spent} of {limit} USD"
                    " (on_exceed: {mode})",
                    scope=b.scope,
                    month=month,
                    spent=_usd(spent),
                    limit=f"{b.monthly:g}",
                    mode="refuse" if b.mode == 1 else "fallback",
                ),
                b.scope,
                "refuse" if b.mode == 1 else "fallback",
                spent,
                b.monthly,
            )
        wait = value / 1e6
        label = used[index - 1].label if 0 < index <= len(used) else "rate limit"
        left = deadline - time.monotonic()
        if wait > left:
            raise RateLimited(
                msg(
                    "{limit} of {model} has no room: retry in {wait} s",
                    limit=label,
                    model=r.model.key,
                    wait=f"{wait:.3f}",
                ),
                wait,
                label,
            )
        time.sleep(wait)


def _usd(x: float) -> str:
    return f"{x:,.2f}" if x >= 1 else f"{x:.6f}".rstrip("0").rstrip(".")


def _warn_budget(b: _BudgetSpec, value: float, month: str) -> None:
    spent = value / 1e9
    if value >= b.limit:
        text = msg(
            "budget {scope} is spent for {month}: {spent} of {limit} USD (on_exceed: {mode})",
            scope=b.scope, month=month, spent=_usd(spent), limit=f"{b.monthly:g}", mode="warn",
        )  # fmt: skip
        _once("over", b.scope, month, text)
    else:
        text = msg(
            "budget {scope} is at {spent} of {limit} USD for {month}",
            scope=b.scope, spent=_usd(spent), limit=f"{b.monthly:g}", month=month,
        )  # fmt: skip
        _once("warn", b.scope, month, text)


def spent(r: Any, cost: Decimal | None) -> None:
    """Add a recorded call's ``cost`` to the counters of the budgets that match it."""
    if not cost or not _policy.of(r._origin).budgets:
        return  # the common case, and record()'s hot path: one dict lookup
    p = plan(r)
    if not p.budgets:
        return
    month = _month()
    try:
        backend(p.policy).add_spend([b.key + month for b in p.budgets], _nano(cost), _SPEND_TTL)
    except Exception as exc:  # recording must not fail the app; the event is still written
        _down(exc, False)
