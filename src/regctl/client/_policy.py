"""The failover, limits and budget policy of one manifest (``registry.policy``, ``budgets``).

Read once per manifest digest and checked as the rest of the manifest is: a sealed
manifest may still hold a string where a number belongs, and that must be an
:class:`~regctl.client.errors.InvalidManifest` naming the field, not a ``TypeError`` in
the middle of a retry loop. The defaults are the schema's (``regctl.pipeline.schema``
``Failover`` and ``LimitsPolicy``), so a registry that sets nothing behaves like
LiteLLM's router defaults: 3 allowed fails, a 5 s cooldown, 2 retries.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from regctl.client.errors import InvalidManifest


class FailoverPolicy(NamedTuple):
    """``registry.policy.failover`` with its defaults."""

    allowed_fails: int = 3
    window_seconds: float = 60.0
    cooldown_seconds: float = 5.0
    max_cooldown_seconds: float = 300.0
    num_retries: int = 2
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0


class Budget(NamedTuple):
    """One entry of ``registry.budgets``."""

    scope: str
    monthly: float
    warn_at: float
    on_exceed: str


class Policy(NamedTuple):
    """Everything the call-time guards read from one manifest."""

    failover: FailoverPolicy
    backend: str
    fail_closed: bool
    budgets: tuple[Budget, ...]


DEFAULT = Policy(FailoverPolicy(), "memory", False, ())
_ON_EXCEED = ("refuse", "fallback", "warn")
_cache: dict[str, Policy] = {}


def _number(value: Any, where: str, *, whole: bool = False) -> float:
    ok = type(value) is int or (not whole and type(value) is float and math.isfinite(value))
    if not ok or value < 0:
        kind = "a whole number >= 0" if whole else "a finite number >= 0"
        raise InvalidManifest(f"manifest policy: {where} is not {kind}")
    return value  # type: ignore[no-any-return]


def parse(top: dict[str, Any]) -> Policy:
    """The :class:`Policy` of a manifest's top level (:class:`InvalidManifest` if malformed)."""
    reg = top.get("registry")
    reg = reg if type(reg) is dict else {}
    pol = reg.get("policy")
    pol = pol if type(pol) is dict else {}
    raw = pol.get("failover")
    fo = FailoverPolicy()
    if raw is not None:
        if type(raw) is not dict:
            raise InvalidManifest("manifest policy: 'failover' is not an object")
        values: dict[str, Any] = {}
        for name, default in fo._asdict().items():
            if name in raw:
                whole = type(default) is int
                n = _number(raw[name], f"failover.{name}", whole=whole)
                values[name] = int(n) if whole else float(n)
        fo = fo._replace(**values)
        if fo.window_seconds <= 0 or fo.cooldown_seconds <= 0:
            raise InvalidManifest("manifest policy: failover windows must be above 0")
    backend, closed = "memory", False
    lim = pol.get("limits")
    if lim is not None:
        if type(lim) is not dict:
            raise InvalidManifest("manifest policy: 'limits' is not an object")
        backend = lim.get("backend", "memory")
        if type(backend) is not str or not (
            backend == "memory" or backend.startswith(("redis://", "rediss://"))
        ):
            raise InvalidManifest("manifest policy: limits.backend is not memory or redis://")
        mode = lim.get("on_backend_error", "open")
        if mode not in ("open", "closed"):
            raise InvalidManifest("manifest policy: limits.on_backend_error is not open/closed")
        closed = mode == "closed"
    budgets = []
    raw_b = reg.get("budgets", [])
    if type(raw_b) is not list:
        raise InvalidManifest("manifest registry: 'budgets' is not a list")
    for i, b in enumerate(raw_b):
        if type(b) is not dict or type(b.get("scope")) is not str:
            raise InvalidManifest(f"manifest registry: budgets[{i}] is malformed")
        monthly = _number(b.get("monthly"), f"budgets[{i}].monthly")
        warn_at = _number(b.get("warn_at", 0.8), f"budgets[{i}].warn_at")
        on_exceed = b.get("on_exceed", "warn")
        if on_exceed not in _ON_EXCEED:
            raise InvalidManifest(f"manifest registry: budgets[{i}].on_exceed is unknown")
        budgets.append(Budget(b["scope"], float(monthly), float(warn_at), on_exceed))
    return Policy(fo, backend, closed, tuple(budgets))


def of(data: Any) -> Policy:
    """The policy of a :class:`~regctl.client._verify.ManifestData` (cached by digest)."""
    if data is None:
        return DEFAULT
    hit = _cache.get(data.digest)
    if hit is None:
        hit = parse(data.top)
        if len(_cache) > 256:  # many manifests over a long life: start afresh
            _cache.clear()
        _cache[data.digest] = hit
    return hit
