"""The ``http(s)://URL`` target: a manifest on a server that speaks GET/PUT with ETags.

Optimistic concurrency as object stores and WebDAV servers do it: ``GET`` returns
the manifest and its ``ETag``; ``PUT`` carries ``If-Match: <etag>`` (or
``If-None-Match: *`` when nothing is deployed) so the server refuses, with 412, a
write based on a manifest someone else has replaced meanwhile. Timeouts are
bounded; 5xx answers and connection failures are retried with exponential backoff.

A bearer token for the server is read from ``REGCTL_TARGET_TOKEN``; it is sent
as a header only and never appears in messages (errors carry status lines only,
not response bodies, which may echo request headers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import httpx

from regctl.targets.base import (
    Deployed,
    HistoryEntry,
    TargetChanged,
    TargetError,
    WriteResult,
)

TOKEN_ENV = "REGCTL_TARGET_TOKEN"


class HttpTarget:
    """A manifest behind a URL. Keeps no history (rollback needs a file target)."""

    supports_history = False

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.25,
        token: str | None = None,
    ) -> None:
        self.uri = url
        self.url = url
        self.retries = retries
        self.backoff = backoff
        headers = {"User-Agent": "regctl", "Accept": "application/json"}
        token = token if token is not None else os.environ.get(TOKEN_ENV)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers=headers,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"HttpTarget({self.uri!r})"

    def _send(self, what: str, call: Callable[[], httpx.Response]) -> httpx.Response:
        """Run ``call`` with retries on 5xx and transport errors; return the last answer."""
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = call()
            except httpx.TimeoutException:
                last_error = "timed out"
                continue
            except httpx.TransportError as exc:
                last_error = _transport_reason(exc)
                continue
            if resp.status_code < 500:
                return resp
            last_error = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
        raise TargetError(
            f"cannot {what} target {self.uri}: {last_error} (after {self.retries + 1} attempts)"
        )

    def read(self) -> Deployed:
        """GET the manifest; 404 means nothing deployed yet."""
        resp = self._send("read", lambda: self._client.get(self.url))
        if resp.status_code == 404:
            return Deployed(None)
        if resp.status_code != 200:
            raise TargetError(f"cannot read target {self.uri}: {_status(resp)}")
        return Deployed(resp.content, resp.headers.get("ETag"))

    def write(self, text: str, digest: str, *, expected: Deployed) -> WriteResult:
        """PUT ``text`` conditionally on ``expected`` (its ETag, or nothing deployed)."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if not expected.exists:
            headers["If-None-Match"] = "*"
        elif expected.version:
            headers["If-Match"] = expected.version
        else:
            # No ETag: the server cannot refuse a concurrent write; re-check by content.
            if self.read().fingerprint != expected.fingerprint:
                raise self._changed()
        data = text.encode("utf-8")
        resp = self._send(
            "write", lambda: self._client.put(self.url, content=data, headers=headers)
        )
        if resp.status_code == 412:
            # A retried PUT may have landed before its answer was lost: then 412 is ours.
            if self.read().digest == digest:
                return WriteResult(digest, expected.digest, self.uri)
            raise self._changed()
        if resp.status_code not in (200, 201, 204):
            raise TargetError(f"cannot write target {self.uri}: {_status(resp)}")
        return WriteResult(digest, expected.digest, self.uri)

    def _changed(self) -> TargetChanged:
        return TargetChanged(
            f"target {self.uri} changed since it was read (HTTP 412 Precondition Failed); "
            "run plan again"
        )

    def history(self) -> list[HistoryEntry]:
        """HTTP targets keep no history."""
        return []

    def history_digests(self) -> set[str]:
        """HTTP targets keep no history."""
        return set()

    def load_history(self, digest: str) -> str:
        """HTTP targets keep no history: rollback needs a file target."""
        raise TargetError(
            f"target {self.uri} keeps no history; roll back by applying an earlier "
            "registry commit (rollback --to works with file targets)"
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def _status(resp: httpx.Response) -> str:
    return f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()


def _transport_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host unreachable"
    return type(exc).__name__
