"""The two homes of rate-limit state and budget counters: this process, or a Redis server.

Both run the same algorithm, so a test of one holds for the other:

- a rate limit is a GCRA (generic cell rate algorithm, the leaky bucket as a meter): a
  key holds the *theoretical arrival time* ``tat`` in microseconds; a call costing ``n``
  units (1 request, or its tokens) moves it to ``max(tat, now) + n * period`` and is
  admitted when that is at most ``cap`` ahead of now. ``period`` is 60 s over the
  per-minute limit; ``cap`` is the burst (see :mod:`regctl.client.limits`). All keys of a
  call are checked before any is moved: a call refused by the model's ``tpm`` does not
  use the provider's ``rpm``;
- a budget is a counter of nano-USD per calendar month (UTC); a call is refused when a
  ``refuse`` counter is at its limit, else sent on to the next candidate when a
  ``fallback`` counter is.

On Redis both happen in one Lua script (atomic on the server, one round trip, the
server's clock for every process of the fleet).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Protocol

from regctl.io.resp import RedisClient, ReplyError

#: (key, period_us, cap_us, cost units) of one rate limit of a call.
Rate = tuple[str, float, float, int]
#: (key, limit nano-USD, mode 0 warn / 1 refuse / 2 fallback, warn level nano-USD).
BudgetCheck = tuple[str, int, int, int]
#: (code, value, index): 0 admitted (value: spend of budget ``index`` at its warn level,
#: 0: none); 1 rate limited (value: microseconds to wait, index: the rate); 2 budget
#: spent (value: its spend, index: the budget). Indexes start at 1.
Decision = tuple[int, float, int]


class Backend(Protocol):
    """Where counters live: :class:`MemoryBackend` or :class:`RedisBackend`."""

    def admit(self, rates: list[Rate], budgets: list[BudgetCheck]) -> Decision: ...

    def add_spend(self, keys: list[str], nano: int, ttl: int) -> list[int]: ...


def _budgets(values: list[int], budgets: list[BudgetCheck]) -> Decision | None:
    fallback: Decision | None = None
    warn: Decision | None = None
    for j, ((_, limit, mode, level), v) in enumerate(zip(budgets, values), 1):
        if v >= limit and mode == 1:
            return (2, float(v), j)
        if v >= limit and mode == 2 and fallback is None:
            fallback = (2, float(v), j)
        if v >= level and warn is None:
            warn = (0, float(v), j)
    return fallback or warn


class MemoryBackend:
    """Counters of this process only (the default backend)."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._spend: dict[str, int] = {}
        self._lock = threading.Lock()

    def admit(self, rates: list[Rate], budgets: list[BudgetCheck]) -> Decision:
        with self._lock:
            if budgets:
                got = _budgets([self._spend.get(b[0], 0) for b in budgets], budgets)
                if got is not None and got[0] == 2:
                    return got
            else:
                got = None
            now = time.monotonic() * 1e6
            tat = self._tat
            worst, wi, new = 0.0, 0, []
            for i, (key, period, cap, cost) in enumerate(rates, 1):
                n = max(tat.get(key, now), now) + cost * period
                over = n - now - cap
                if over > worst:
                    worst, wi = over, i
                new.append(n)
            if wi:
                return (1, worst, wi)
            for (key, *_), n in zip(rates, new):
                tat[key] = n
            if len(tat) > 100_000:  # keys of a long life: drop those already in the past
                for k in [k for k, v in tat.items() if v < now]:
                    del tat[k]
            return got or (0, 0.0, 0)

    def add_spend(self, keys: list[str], nano: int, ttl: int) -> list[int]:
        with self._lock:
            out = []
            for k in keys:
                self._spend[k] = self._spend.get(k, 0) + nano
                out.append(self._spend[k])
            return out


ADMIT = """
local nr = tonumber(ARGV[1])
local nb = #KEYS - nr
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local a = 2 + 3 * nr
local fb, fbv, warn, warnv = 0, 0, 0, 0
for j = 1, nb do
  local lim, mode, wl = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local v = tonumber(redis.call('GET', KEYS[nr + j]) or '0') or 0
  if v >= lim and mode == 1 then return {2, tostring(v), j} end
  if v >= lim and mode == 2 and fb == 0 then fb, fbv = j, v end
  if v >= wl and warn == 0 then warn, warnv = j, v end
end
if fb > 0 then return {2, tostring(fbv), fb} end
local worst, wi, new = 0, 0, {}
for i = 1, nr do
  local b = 2 + 3 * (i - 1)
  local period, cap, cost = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  local n = tat + cost * period
  local over = n - now - cap
  if over > worst then worst, wi = over, i end
  new[i] = n
end
if wi > 0 then return {1, tostring(worst), wi} end
for i = 1, nr do
  local ms = math.ceil((new[i] - now) / 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.0f', new[i]), 'PX', ms)
end
return {0, tostring(warnv), warn}
"""

SPEND = """
local out = {}
for i = 1, #KEYS do
  out[i] = redis.call('INCRBY', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return out
"""


class _Script:
    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()  # Redis names scripts by SHA-1

    def run(self, client: RedisClient, keys: list[str], args: list[str | int | float]) -> object:
        try:
            return client.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if exc.code != "NOSCRIPT":
                raise
        client.call("SCRIPT", "LOAD", self.text)
        return client.call("EVALSHA", self.sha, len(keys), *keys, *args)


_ADMIT, _SPEND = _Script(ADMIT), _Script(SPEND)


class RedisBackend:
    """Counters shared by every process that uses the same Redis server."""

    def __init__(self, url: str, timeout: float = 1.0) -> None:
        self.client = RedisClient(url, timeout=timeout)

    def __repr__(self) -> str:
        return f"RedisBackend({self.client.target})"

    def admit(self, rates: list[Rate], budgets: list[BudgetCheck]) -> Decision:
        keys = [r[0] for r in rates] + [b[0] for b in budgets]
        args: list[str | int | float] = [len(rates)]
        for _, period, cap, cost in rates:
            args += [repr(period), repr(cap), cost]
        for _, limit, mode, level in budgets:
            args += [limit, mode, level]
        reply = _ADMIT.run(self.client, keys, args)
        if not isinstance(reply, list) or len(reply) != 3:
            from regctl.io.resp import RedisError

            raise RedisError("limits script answered out of shape")
        code, value, index = reply
        return (int(code), float(value), int(index))

    def add_spend(self, keys: list[str], nano: int, ttl: int) -> list[int]:
        reply = _SPEND.run(self.client, keys, [nano, ttl])
        return [int(v) for v in reply] if isinstance(reply, list) else []
