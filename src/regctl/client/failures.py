"""What a failed call means: its HTTP status, whether to retry it, its ``Retry-After``.

:meth:`regctl.client.Registry.call` reads an exception raised by the app's ``fn`` with
:func:`classify`; it knows the shapes of the common SDKs without importing any of them
(duck typing): ``exc.status_code`` (openai, anthropic, httpx's ``HTTPStatusError`` through
``exc.response``), ``exc.code`` (``urllib.error.HTTPError``), ``exc.status``; timeouts
(``TimeoutError``, ``socket.timeout`` and any class named ``*Timeout*``) and connection
errors (``ConnectionError``, ``OSError`` of a socket, and classes named ``*Connection*``
or ``*Connect*``). An app with its own client can raise :class:`ProviderError` to say
the same thing plainly.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["RETRYABLE", "Attempt", "Failure", "ProviderError", "classify"]

#: Statuses retried on the same model (with backoff) before moving on.
RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class ProviderError(Exception):
    """Raise from ``fn`` to tell :meth:`Registry.call` how a call failed, without an SDK.

    ``status`` is the HTTP status (``None``: no answer, e.g. a timeout), ``retry_after``
    the provider's ``Retry-After`` (seconds, or the header's text: a number or an HTTP
    date).
    """

    def __init__(
        self, message: str = "provider call failed", *, status: int | None = None,
        retry_after: float | str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.status_code = status
        self.retry_after = parse_retry_after(retry_after)


class Failure(NamedTuple):
    """An exception read as a provider failure."""

    status: int | None
    """HTTP status, ``None`` when there was no answer."""
    kind: str
    """``http``, ``timeout`` or ``connection``."""
    retryable: bool
    """Worth another try on the same model (429, 5xx, 408, timeouts, connection errors)."""
    failover: bool
    """Worth trying the next candidate (everything but a request the provider refused as
    malformed: 400, 413, 422...)."""
    retry_after: float | None
    """Seconds the provider asked to wait, when it said."""


class Attempt(NamedTuple):
    """One try of :meth:`Registry.call`, as listed by :class:`~regctl.client.CallFailed`."""

    model: str
    """``provider/model`` tried."""
    outcome: str
    """``ok``, ``http 503``, ``timeout``, ``connection``, ``cooling down``,
    ``rate limited``, ``over budget``."""
    latency_ms: float | None
    """How long the try took (``None`` when it was not made)."""
    error: str | None
    """The exception's class name (never its text: it may hold a key or a prompt)."""

    def __str__(self) -> str:
        lat = "" if self.latency_ms is None else f" after {self.latency_ms:.0f} ms"
        err = f" ({self.error})" if self.error else ""
        return f"{self.model}: {self.outcome}{lat}{err}"


def _status(exc: BaseException) -> int | None:
    for owner in (exc, getattr(exc, "response", None)):
        if owner is None:
            continue
        for name in ("status_code", "status", "code"):
            value = getattr(owner, name, None)
            if type(value) is int and 100 <= value <= 599:
                return value
    return None


def _headers(exc: BaseException) -> Any:
    for owner in (getattr(exc, "response", None), exc):
        headers = getattr(owner, "headers", None)
        if headers is not None and hasattr(headers, "get"):
            return headers
    return None


def parse_retry_after(value: Any) -> float | None:
    """Seconds from a ``Retry-After`` value: a number of seconds or an HTTP date."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        f = float(value)
        return f if math.isfinite(f) and f >= 0 else None
    text = str(value).strip()[:64]
    try:
        f = float(text)
    except ValueError:
        try:
            import datetime as dt
            from email.utils import parsedate_to_datetime  # an HTTP date: rare, and email
            # imports socket and calendar (~4 ms of every client start-up, issue 26)

            when = parsedate_to_datetime(text)
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone.utc)
            f = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
            return max(0.0, f)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return f if math.isfinite(f) and f >= 0 else None


def _named(exc: BaseException, *words: str) -> bool:
    return any(w in c.__name__ for c in type(exc).__mro__ for w in words)


def classify(exc: BaseException) -> Failure | None:
    """The :class:`Failure` ``exc`` stands for, or ``None`` when it is not a provider
    failure (a bug in the app's own code is raised as it is, not retried)."""
    status = _status(exc)
    retry_after = parse_retry_after(getattr(exc, "retry_after", None))
    if retry_after is None:
        headers = _headers(exc)
        if headers is not None:
            try:
                retry_after = parse_retry_after(headers.get("retry-after"))
            except Exception:  # a hostile headers object: no hint rather than a crash
                retry_after = None
    if status is not None:
        retryable = status in RETRYABLE or status >= 500
        failover = retryable or status in (401, 402, 403, 404)
        return Failure(status, "http", retryable, failover, retry_after)
    if isinstance(exc, ProviderError):
        return Failure(None, "connection", True, True, retry_after)
    if isinstance(exc, TimeoutError) or _named(exc, "Timeout"):
        return Failure(None, "timeout", True, True, retry_after)
    if isinstance(exc, ConnectionError) or _named(exc, "Connection", "Connect"):
        return Failure(None, "connection", True, True, retry_after)
    if type(exc) is OSError and exc.errno is not None:  # a socket error without a subclass
        return Failure(None, "connection", True, True, retry_after)
    return None
