"""The providers page: what the seed's admin list showed, from the manifest.

Whether a key resolves is asked of the server's own environment (the client's
credential chain: ``env:``, ``file:``, plugins) and shown as yes or no with the
reference that resolved, redacted; never a value. The answers are kept for a few
seconds, so a page view does not call a secret plugin per provider each time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from regctl.base.redact import redact
from regctl.client import Provider
from regctl.client.errors import ClientError

KEY_TTL = 15.0


@dataclass(frozen=True)
class KeyState:
    """Whether a provider's credential chain gives a key here, and which reference did."""

    resolves: bool
    reference: str | None  # the reference that resolved (redacted), else None
    tried: tuple[str, ...]  # every reference of the chain (redacted)
    personal_only: bool  # allow_shared_credentials: false: callers bring their own


def key_state(p: Provider) -> KeyState:
    """Resolve ``p``'s chain in this process; the value is dropped at once."""
    tried = tuple(redact(r) for r in p.credentials)
    if not p.allow_shared_credentials:
        return KeyState(False, None, tried, True)
    try:
        source = p.api_key().source  # the value is not kept: only where it came from
    except ClientError:  # NoCredentials: no reference of the chain resolves
        return KeyState(False, None, tried, False)
    return KeyState(True, redact(source), tried, False)


class KeyCache:
    """``key_state`` per provider, recomputed after :data:`KEY_TTL` seconds."""

    def __init__(self, ttl: float = KEY_TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, tuple[str, ...], bool], tuple[float, KeyState]] = {}

    def get(self, p: Provider) -> KeyState:
        key = (p.id, p.credentials, p.allow_shared_credentials)
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        state = key_state(p)
        with self._lock:
            if len(self._seen) > 10_000:  # providers of old manifests
                self._seen.clear()
            self._seen[key] = (now, state)
        return state
