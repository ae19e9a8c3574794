"""What the secret-store readers (``vault:``, ``aws-sm:``) share: the TTL cache, the
deadline and body cap of a request, and how a store's own words are shown.

Cache: one read per reference at a time: threads asking for the same reference while it is
being read wait for that read instead of sending their own (a burst of 401s after a
rotation makes one request to the store, not one per thread). A value lives for the
TTL (``$REGCTL_SECRETS_TTL`` seconds, default 300; 0 turns the cache off) and only in
this process's memory; failures are never cached, so a fixed store is used at once.
The cache holds at most :data:`MAX_ENTRIES` values (the oldest read goes first).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from regctl.client.errors import MalformedSecretReference, SecretConfigError
from regctl.client.secret_refs import BadReference
from regctl.client.secretstr import SecretStr

P = TypeVar("P")

DEFAULT_TTL = 300.0
MAX_ENTRIES = 1024
#: Seconds one read may take in all (login included): ``$REGCTL_SECRETS_TIMEOUT``.
DEFAULT_TIMEOUT = 10.0
#: Bytes of a store's answer read at most (a Vault KV entry or a Secrets Manager
#: secret is at most 64 KiB of value; the JSON around it is small).
MAX_BODY = 1024 * 1024
#: Characters of a store's own error text shown at most.
MAX_REASON = 200

_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_lock = threading.Lock()
# key -> (monotonic time read, value)
_entries: dict[Hashable, tuple[float, SecretStr]] = {}
# key -> the lock held while that key is read from its store
_reading: dict[Hashable, threading.Lock] = {}


def ttl() -> float:
    """Seconds a value is kept: ``$REGCTL_SECRETS_TTL``, else :data:`DEFAULT_TTL`."""
    return _seconds("REGCTL_SECRETS_TTL", DEFAULT_TTL)


def timeout() -> float:
    """The total deadline of one read: ``$REGCTL_SECRETS_TIMEOUT``, else 10 s."""
    return _seconds("REGCTL_SECRETS_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT


def check_settings(ref: str) -> None:
    """Raise :class:`SecretConfigError` naming ``ref`` when the TTL or deadline is malformed."""
    try:
        ttl()
        timeout()
    except SecretConfigError as exc:
        raise SecretConfigError(f"{ref}: {exc}") from None


def store_words(text: object, *hide: str) -> str:
    """A store's own error text made safe to show: one short line, control and bidi
    characters escaped, and any of ``hide`` (a token, a secret id) masked."""
    from regctl.base.textsafe import escape_control

    shown = str(text)
    for secret in hide:
        if secret and len(secret) >= 4:
            shown = shown.replace(secret, "****")
    shown = escape_control(_BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", shown))
    return shown if len(shown) <= MAX_REASON else shown[: MAX_REASON - 1] + "…"


_parsed: dict[str, float] = {}  # a setting's text -> its seconds (read at every call)


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    found = _parsed.get(raw)
    if found is not None:
        return found
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise SecretConfigError(f"{name} must be a number of seconds >= 0")
    if len(_parsed) < 64:
        _parsed[raw] = value
    return value


def parsed_ref(memo: dict[str, P], ref: str, rest: str, parse: Callable[[str], P], form: str) -> P:
    """``parse(rest)``, kept in ``memo`` by reference (at most :data:`MAX_ENTRIES`) so that
    a cache hit does not parse again; :class:`MalformedSecretReference` naming ``form``
    (the scheme's syntax) when ``rest`` does not parse."""
    parsed = memo.get(ref)
    if parsed is None:
        try:
            parsed = parse(rest)
        except BadReference as exc:
            raise MalformedSecretReference(f"{ref}: {exc}; want {form}") from None
        if len(memo) < MAX_ENTRIES:
            memo[ref] = parsed
    return parsed


def cached(
    key: Hashable, load: Callable[[], SecretStr], *, refresh: bool = False, ref: str = ""
) -> SecretStr:
    """The value for ``key``: from the cache while fresh, else ``load()`` (then cached).

    ``refresh`` skips a cached value, unless another thread read it after this call began.
    ``ref`` names the reference in a settings error. A hit costs a few microseconds
    (bench/bench_secrets.py): the settings ``load`` needs are looked at only on a miss.
    """
    try:
        keep = ttl()
    except SecretConfigError as exc:
        raise SecretConfigError(f"{ref}: {exc}" if ref else str(exc)) from None
    asked = time.monotonic()
    if keep > 0 and not refresh:
        with _lock:
            hit = _entries.get(key)
        if hit is not None and asked - hit[0] < keep:
            return hit[1]
    with _lock:
        reading = _reading.setdefault(key, threading.Lock())
    with reading:
        if keep > 0:
            with _lock:
                hit = _entries.get(key)
            # Read while this thread waited: as fresh as a read of its own.
            if hit is not None and (hit[0] >= asked or (not refresh and asked - hit[0] < keep)):
                return hit[1]
        read_at = time.monotonic()
        value = load()
        if keep > 0:
            with _lock:
                _entries.pop(key, None)
                _entries[key] = (read_at, value)
                while len(_entries) > MAX_ENTRIES:
                    oldest = next(iter(_entries))
                    del _entries[oldest]
                    _reading.pop(oldest, None)
        return value


def clear() -> None:
    """Forget every cached value (tests; a process that changed its store settings)."""
    with _lock:
        _entries.clear()
        _reading.clear()
