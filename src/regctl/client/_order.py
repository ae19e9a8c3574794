"""The resolution order and its candidates (docs/resolution.md): which providers to try
for a capability, and each one's model that can serve on a given day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from regctl.base.i18n import msg
from regctl.client._state import State
from regctl.client.errors import BadQuery
from regctl.client.types import Model, Provider

if TYPE_CHECKING:
    import datetime as _dt

#: Scopes: the resolution order only, or every enabled provider after it.
SCOPES = ("order", "all")

Candidate = tuple[Provider, Model, str]  # provider, its active model, the step (via)
# RFC 3339 full-date only: fromisoformat alone also takes "2026-W01-1" and "20260101".
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # compiled on first use (re caches it)


def as_of(today: str | _dt.date | None) -> str:
    """``today`` as ``YYYY-MM-DD`` (UTC today when ``None``); :class:`BadQuery` otherwise."""
    # imported here: a process that loads a manifest and never resolves (or an app's
    # start-up) need not pay for datetime (~0.9 ms, issue 26)
    import datetime as _dt

    if today is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    if isinstance(today, _dt.date):
        return today.isoformat()
    if isinstance(today, str) and re.fullmatch(_DAY, today):
        try:
            return _dt.date.fromisoformat(today).isoformat()
        except ValueError:
            pass
    raise BadQuery(msg("today must be a date as YYYY-MM-DD, got '{value}'", value=str(today)))


def order(
    st: State, capability: str, provider: str | None, fallback: bool | None, scope: str
) -> Iterator[tuple[str, str]]:
    """Provider ids to try, each with its step: the contract's order, without repeats."""
    steps: list[tuple[str, str]] = []
    if provider is not None:
        steps.append((provider, "provider"))
    # Naming a provider means that provider; other vendors only when asked for.
    crossing = fallback is True or (provider is None)
    if crossing:
        default = st.defaults.get(capability)
        if default is not None:
            steps.append((default, "default"))
        if fallback is not False:
            steps.extend((pid, "fallback") for pid in st.fallbacks.get(capability, ()))
    seen: set[str] = set()
    for pid, step in steps:
        if pid not in seen:
            seen.add(pid)
            yield pid, step
    if scope == "all" and crossing and fallback is not False:
        for pid in sorted(st.providers):
            if pid not in seen:
                yield pid, "scope"


def deprecated(m: Model, day: str | None) -> bool:
    """Whether ``m`` is past its ``deprecated`` date on ``day`` (UTC today when ``None``)."""
    return bool(m.deprecated) and m.deprecated <= (day or as_of(None))  # type: ignore[operator]


def ordered(
    st: State,
    capability: str,
    provider: str | None,
    fallback: bool | None,
    scope: str,
    day: str | None,
    tried: list[str] | None = None,
) -> Iterator[Candidate]:
    """The candidates in order: each provider's one model active for ``capability``,
    when the provider is enabled and the model not past ``deprecated`` on ``day``."""
    for pid, step in order(st, capability, provider, fallback, scope):
        p = st.providers.get(pid)
        key = st.active.get(pid, {}).get(capability) if p is not None and p.enabled else None
        m = st.model(key) if key is not None else None
        if p is None or m is None or deprecated(m, day):
            if tried is not None:
                tried.append(pid)
            continue
        yield p, m, step
