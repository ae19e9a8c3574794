"""``Registry.failover()`` and ``Registry.call()``: the candidates, health-aware, and a
retry loop over them that records every attempt."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from regctl.base.i18n import N_, msg
from regctl.client import _policy, health
from regctl.client.errors import BudgetExceeded, CallFailed, RateLimited
from regctl.client.failures import Attempt, classify

T = TypeVar("T")

_cands: dict[tuple[Any, ...], list[Any]] = {}


def cached_candidates(
    data: Any, compute: Callable[[], list[Any]], capability: str, args: Mapping[str, Any]
) -> list[Any]:
    """``compute()`` memoized per manifest, question and UTC day (deprecation dates move
    candidates out at midnight). Questions with unhashable arguments are not memoized."""
    day = int(time.time() // 86400)
    try:
        key = (data, capability, tuple(sorted(args.items())) if args else (), day)
        hit = _cands.get(key)
    except TypeError:
        return compute()
    if hit is None:
        hit = compute()
        if len(_cands) > 4096:
            _cands.clear()
        _cands[key] = hit
    return hit


def healthy(cands: Iterable[Any]) -> Iterator[Any]:
    """The candidates that are not cooling down, in order; a candidate whose cooldown
    is over is handed out as the probe (to one caller at a time)."""
    table = health.default._table
    for r in cands:
        key = r.model.key
        if key in table and not health.default.take(key, _policy.of(r._origin).failover):
            continue
        yield r


def _backoff(tries: int, pol: _policy.FailoverPolicy, retry_after: float | None) -> float | None:
    """Seconds before retry number ``tries + 1``; ``None``: not worth waiting, move on."""
    ceiling = min(pol.max_backoff_seconds, pol.backoff_seconds * (2**tries))
    delay = random.uniform(0, ceiling)  # full jitter: a fleet does not retry in step
    if retry_after is not None:
        if retry_after > pol.max_backoff_seconds:
            return None
        delay = max(delay, retry_after)
    return delay


def _count(u: Any, *names: str) -> int:
    for name in names:
        v = u.get(name) if isinstance(u, Mapping) else getattr(u, name, None)
        if type(v) is int and v >= 0:
            return v
    return 0


def usage_of(result: Any) -> dict[str, int]:
    """Token counts of an OpenAI- or Anthropic-shaped answer (``.usage``), else zeros."""
    u = result.get("usage") if isinstance(result, Mapping) else getattr(result, "usage", None)
    if u is None:
        return {}
    inp = _count(u, "prompt_tokens", "input_tokens")
    out = _count(u, "completion_tokens", "output_tokens")
    details = (
        u.get("prompt_tokens_details")
        if isinstance(u, Mapping)
        else getattr(u, "prompt_tokens_details", None)
    )
    cached = _count(details, "cached_tokens") if details is not None else 0
    read = _count(u, "cache_read_input_tokens")  # Anthropic counts it apart from input
    if read:
        inp, cached = inp + read, cached + read
    return {"input_tokens": inp, "output_tokens": out, "cached_input_tokens": min(cached, inp)}


def _outcome(status: int | None, kind: str) -> str:
    return f"http {status}" if status is not None else kind


def call(
    reg: Any,
    capability: str,
    fn: Callable[[Any], T],
    *,
    tokens: int,
    wait: float,
    usage: Callable[[Any], Mapping[str, int]] | None,
    sink: Any,
    resolve_args: dict[str, Any],
) -> T:
    """See :meth:`regctl.client.Registry.call`."""
    attempts: list[Attempt] = []
    last: BaseException | None = None
    for r in reg.failover(capability, **resolve_args):
        pol = _policy.of(r._origin).failover
        key = r.model.key
        tries = 0
        while True:
            try:
                r.acquire(tokens, wait)
            except RateLimited as exc:
                attempts.append(Attempt(key, f"rate limited ({exc.limit})", None, None))
                break
            except BudgetExceeded as exc:
                if exc.on_exceed != "fallback":
                    raise
                attempts.append(Attempt(key, f"over budget ({exc.scope})", None, None))
                break
            t0 = time.perf_counter()
            try:
                result = fn(r)
            except Exception as exc:
                ms = (time.perf_counter() - t0) * 1000
                f = classify(exc)
                r.record(latency_ms=ms, ok=False, sink=sink)
                if f is None:
                    raise  # the app's own error: not the provider's, not retried
                cooling = r.report(False, status=f.status, retry_after=f.retry_after)
                attempts.append(Attempt(key, _outcome(f.status, f.kind), ms, type(exc).__name__))
                last = exc
                if not f.failover:
                    raise _failed(reg, capability, resolve_args, attempts, "refused") from exc
                delay = _backoff(tries, pol, f.retry_after) if f.retryable else None
                if cooling or delay is None or tries >= pol.num_retries:
                    break
                tries += 1
                time.sleep(delay)
                continue
            ms = (time.perf_counter() - t0) * 1000
            counts = dict(usage(result)) if usage is not None else usage_of(result)
            r.record(**counts, latency_ms=ms, ok=True, sink=sink)
            r.report(True)
            return result
    raise _failed(reg, capability, resolve_args, attempts, "failed") from last


def _failed(
    reg: Any, capability: str, args: dict[str, Any], attempts: list[Attempt], how: str
) -> CallFailed:
    waits = [health.default.cooling(c.model.key) for c in reg.candidates(capability, **args)]
    cooling = [w for w in waits if w > 0]
    retry_after = min(cooling) if cooling else None
    tried = "; ".join(str(a) for a in attempts) or msg("none tried")
    if cooling:
        tried += msg(
            "; {count} cooling down (next probe in {wait} s)",
            count=len(cooling),
            wait=f"{retry_after:.1f}",
        )
    text: str
    if how == "refused":
        text = N_("the provider refused the request for capability '{capability}': {tried}")
    elif not attempts:
        text = N_("no candidate for capability '{capability}' can be called now: {tried}")
    else:
        text = N_("every candidate for capability '{capability}' failed: {tried}")
    return CallFailed(msg(text, capability=capability, tried=tried), tuple(attempts), retry_after)
