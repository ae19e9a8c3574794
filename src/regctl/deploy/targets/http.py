"""The ``http(s)://URL`` target: a manifest on a server that speaks GET/PUT with ETags.

Optimistic concurrency as object stores and WebDAV servers do it: ``GET`` returns
the manifest and its ``ETag``; ``PUT`` carries ``If-Match: <etag>`` (or
``If-None-Match: *`` when nothing is deployed) so the server refuses, with 412, a
write based on a manifest someone else has replaced meanwhile. Each read or write
has one total deadline, its retries and their pauses included (a server trickling
bytes, or failing slowly again and again, cannot stretch it), and a body cap; the
URL is parsed once (:mod:`regctl.io.urls`) and that endpoint is both what the token
policy decides on and where the request goes; redirects are not followed
(:mod:`regctl.io.safehttp`). 5xx answers and connection failures are retried with
exponential backoff while the deadline allows.

A bearer token is read from ``REGCTL_TARGET_TOKEN`` (and, for reads only,
``REGCTL_TARGET_READ_TOKEN``) and sent only where :mod:`regctl.deploy.targets.policy`
allows: https (or loopback http) to a host the operator allowed outside the
registry. It is a header only and never appears in messages (errors carry
status lines only, not response bodies, which may echo request headers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from regctl.base.errors import UsageError
from regctl.deploy.targets import policy
from regctl.deploy.targets.base import (
    Deployed,
    HistoryEntry,
    TargetChanged,
    TargetError,
    WriteResult,
)
from regctl.io import safehttp, urls

TOKEN_ENV = policy.TOKEN_ENV
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


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
        operator_urls: Iterable[str] = (),
        max_bytes: int = MAX_MANIFEST_BYTES,
    ) -> None:
        self.uri = url
        try:
            self.endpoint = urls.parse(url)
        except urls.BadUrl as exc:
            raise UsageError(f"bad HTTP target {urls.redact(url)}: {exc}") from None
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._headers = {"User-Agent": "regctl", "Accept": "application/json"}
        # A token passed in code is the operator's choice of host; the scheme rule holds.
        trusted = [url] if token is not None else list(operator_urls)
        decision = policy.decide(self.endpoint, operator_urls=trusted)
        # Why no token went out (shown with a 401/403), or "" when none was set anyway.
        self.token_note = ""
        write = token if token is not None else os.environ.get(TOKEN_ENV)
        read = os.environ.get(policy.READ_TOKEN_ENV)
        if (write or read) and not decision.allowed:
            self.token_note = f"; the token was not sent: {decision.reason}"
            write = read = None
        self._write_auth = {"Authorization": f"Bearer {write}"} if write else {}
        read = write or read
        self._read_auth = {"Authorization": f"Bearer {read}"} if read else {}

    def __repr__(self) -> str:
        return f"HttpTarget({self.uri!r})"

    def _request(
        self,
        method: str,
        auth: dict[str, str],
        deadline: float,
        body: bytes | None = None,
        **extra: str,
    ) -> safehttp.Response:
        return safehttp.request(
            method,
            self.endpoint,
            headers={**self._headers, **auth, **extra},
            body=body,
            timeout=self.timeout,
            deadline=deadline,
            max_bytes=self.max_bytes,
            follow_redirects=False,
        )

    def _send(self, what: str, call: Callable[[float], safehttp.Response]) -> safehttp.Response:
        """Run ``call`` with retries on 5xx and transport errors, all within one deadline."""
        deadline = time.monotonic() + self.timeout
        last_error = ""
        attempts = 0
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= deadline:
                    break  # no time left for another try
                time.sleep(pause)
            attempts += 1
            try:
                resp = call(deadline)
            except safehttp.Timeout:
                last_error = f"timed out after {self.timeout:g} s"
                break  # the deadline is spent
            except safehttp.ConnectFailed as exc:
                last_error = _transport_reason(exc)
                continue
            except safehttp.HttpError as exc:  # over the size cap, bad URL: no retry
                raise TargetError(f"cannot {what} target {self.uri}: {_after_url(exc)}") from None
            if resp.status < 500:
                return resp
            last_error = _status(resp)
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        raise TargetError(f"cannot {what} target {self.uri}: {last_error}{tries}")

    def read(self) -> Deployed:
        """GET the manifest; 404 means nothing deployed yet."""
        resp = self._send("read", lambda end: self._request("GET", self._read_auth, end))
        if resp.status == 404:
            return Deployed(None)
        if resp.status != 200:
            raise TargetError(f"cannot read target {self.uri}: {self._refusal(resp)}")
        return Deployed(resp.body, resp.headers.get("etag"))

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
            "write", lambda end: self._request("PUT", self._write_auth, end, data, **headers)
        )
        if resp.status == 412:
            # A retried PUT may have landed before its answer was lost: then 412 is ours.
            if self.read().digest == digest:
                return WriteResult(digest, expected.digest, self.uri)
            raise self._changed()
        if resp.status not in (200, 201, 204):
            raise TargetError(f"cannot write target {self.uri}: {self._refusal(resp)}")
        return WriteResult(digest, expected.digest, self.uri)

    def _refusal(self, resp: safehttp.Response) -> str:
        note = self.token_note if resp.status in (401, 403) else ""
        return _status(resp) + note

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
        """Nothing to close: every request uses its own connection."""


def _status(resp: safehttp.Response) -> str:
    return f"HTTP {resp.status} {resp.reason}".rstrip()


def _after_url(exc: safehttp.HttpError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _transport_reason(exc: safehttp.ConnectFailed) -> str:
    if "refused" in str(exc):
        return "connection refused or host unreachable"
    return _after_url(exc)
