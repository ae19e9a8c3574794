"""Per-model health: failures within a window cool a model down, then one probe decides.

:meth:`regctl.client.Resolved.report` feeds it and :meth:`regctl.client.Registry.failover`
reads it. The rules (``registry.policy.failover``; LiteLLM's router where the issue is
silent):

- a failure counts when it is the model's fault or the provider's: a 5xx, 401, 402, 403,
  404, 408 or 429, a timeout or connection error (``status=None``); other 4xx answers are
  the request's fault (a bad parameter fails on every model) and do not count;
- more than ``allowed_fails`` counted failures within ``window_seconds`` cool the model
  down for ``cooldown_seconds``, or for the ``Retry-After`` of the failure that tripped it
  (capped at ``max_cooldown_seconds``);
- when the cooldown ends, the next :meth:`~regctl.client.Registry.failover` that reaches
  the model takes it as the *probe*; others skip it until the probe is reported (or
  another ``cooldown_seconds`` pass without a report). A good probe clears the state, a
  failed one cools the model down again at once;
- a success outside a probe clears the failures counted so far.

State is per process, shared by every :class:`~regctl.client.Registry` in it and keyed
by ``provider/model``: a model failing for one registry object fails for all. Standard
library only; every method is thread-safe and allocation-free on the healthy path.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from regctl.client import _policy
from regctl.client._policy import FailoverPolicy

__all__ = ["COUNTED_4XX", "Health", "counts", "default", "report_resolved", "reset"]

#: 4xx answers that count against a model (the rest are the request's fault).
COUNTED_4XX = frozenset({401, 402, 403, 404, 408, 429})

_now = time.monotonic


def counts(status: int | None) -> bool:
    """Whether a failure with HTTP ``status`` (``None``: no answer) counts against the model."""
    return status is None or status >= 500 or status in COUNTED_4XX or status < 400


class _Entry:
    __slots__ = ("fails", "probe_until", "until")

    def __init__(self) -> None:
        self.fails: list[float] = []  # monotonic times of counted failures in the window
        self.until = 0.0  # cooling down while now < until
        self.probe_until = 0.0  # a probe is out until then (0: none)


class Health:
    """The health table of one process (see the module docstring)."""

    __slots__ = ("_lock", "_table")

    def __init__(self) -> None:
        self._table: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def take(self, key: str, policy: FailoverPolicy, now: float | None = None) -> bool:
        """Whether ``key`` may be called now; claims the probe when its cooldown is over."""
        e = self._table.get(key)
        if e is None or (not e.until and not e.probe_until):
            return True
        t = _now() if now is None else now
        with self._lock:
            if t < e.until:
                return False
            if e.probe_until and t < e.probe_until:
                return False  # another caller's probe is out
            if e.until or e.probe_until:
                e.until = 0.0
                e.probe_until = t + policy.cooldown_seconds
            return True

    def cooling(self, key: str, now: float | None = None) -> float:
        """Seconds until ``key`` may be probed (0: it may be called now)."""
        e = self._table.get(key)
        if e is None:
            return 0.0
        t = _now() if now is None else now
        return max(0.0, e.until - t, (e.probe_until - t) if e.probe_until else 0.0)

    def report(
        self,
        key: str,
        ok: bool,
        policy: FailoverPolicy,
        status: int | None = None,
        retry_after: float | None = None,
        now: float | None = None,
    ) -> bool:
        """Feed one call's outcome; returns whether ``key`` is cooling down after it."""
        table = self._table
        if ok:
            if key in table:
                with self._lock:
                    table.pop(key, None)
            return False
        if not counts(status):
            return False
        t = _now() if now is None else now
        with self._lock:
            e = table.get(key)
            if e is None:
                e = table[key] = _Entry()
            probing = e.probe_until != 0.0
            horizon = t - policy.window_seconds
            fails = [f for f in e.fails if f > horizon]
            fails.append(t)
            if probing or len(fails) > policy.allowed_fails:
                span = policy.cooldown_seconds
                if retry_after is not None and retry_after > 0:
                    span = min(float(retry_after), policy.max_cooldown_seconds)
                e.until = t + span
                e.probe_until = 0.0
                e.fails = []
                return True
            e.fails = fails
            return e.until > t

    def state(self, key: str) -> dict[str, Any]:
        """What is known of ``key``: counted failures, seconds of cooldown left, probing."""
        e = self._table.get(key)
        t = _now()
        if e is None:
            return {"fails": 0, "cooldown": 0.0, "probing": False}
        return {
            "fails": len(e.fails),
            "cooldown": max(0.0, e.until - t),
            "probing": bool(e.probe_until and t < e.probe_until),
        }

    def clear(self) -> None:
        """Forget every model's state."""
        with self._lock:
            self._table.clear()


#: The process's table, used by :meth:`Resolved.report` and :meth:`Registry.failover`.
default = Health()


def reset() -> None:
    """Forget all health state of this process (tests; a deliberate fresh start)."""
    default.clear()


def report_resolved(r: Any, ok: bool, status: int | None, retry_after: float | None) -> bool:
    """:meth:`Resolved.report` on :data:`default` (a success of a healthy model is one
    dict lookup)."""
    key = r.model.key
    if ok and key not in default._table:
        return False
    if type(status) is not int:
        status = None
    if retry_after is not None:
        from regctl.client.failures import parse_retry_after

        retry_after = parse_retry_after(retry_after)
    return default.report(key, bool(ok), _policy.of(r._origin).failover, status, retry_after)
