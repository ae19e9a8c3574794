"""``s3://BUCKET/KEY`` manifest sources: a conditional GET signed by botocore.

A watcher polls its source every second or so, so a poll must be cheap. boto3's full
request pipeline (event hooks, parameter validation, response parsing, an exception
object for every 304) costs about 1.7 ms of CPU per poll; signing the same request with
botocore's ``S3SigV4Auth`` (reused for two minutes: a poll repeats the same request) and
sending it over a kept-alive ``http.client`` connection costs about 0.2 ms
(bench/README.md, "Fleet propagation"). Credentials still come from
botocore's standard chain (environment, profile, web identity, instance role); regctl
never reads them itself. botocore is imported only when an ``s3://`` source is used.

Endpoint: ``?endpoint=URL`` on the source, else ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL``, else AWS (``https://s3.REGION.amazonaws.com``), always with
path-style addressing, which every S3-compatible store accepts.
"""

from __future__ import annotations

import http.client
import os
import re
import ssl
import threading
import time
import urllib.parse
from typing import Any

from regctl.client.errors import ManifestError, ManifestNotFound, ManifestUnavailable

#: Seconds a signed request is reused (S3 accepts a signature for 15 minutes; credentials
#: from a refreshing source are looked at again when it is re-signed).
RESIGN_AFTER = 120.0
#: The error code of an S3 error document (<Error><Code>NoSuchKey</Code>...)
_CODE = re.compile(rb"<Code>([^<]{1,64})</Code>")


class Unavailable(Exception):
    """The store could not be reached or answered 5xx: the caller falls back to its cache."""


class S3Source:
    """One ``s3://`` source with its signer and one kept-alive connection."""

    def __init__(self, source: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(source)
        options = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
        self.bucket, self.key = parts.netloc, parts.path.lstrip("/")
        if not self.bucket or not self.key:
            raise ManifestError(f"bad S3 source {source!r}: use s3://BUCKET/KEY")
        try:
            import botocore.session
        except ImportError:
            raise ManifestError("s3:// sources need boto3: pip install 'regctl[s3]'") from None
        self.source, self.timeout = source, timeout
        session = botocore.session.get_session()
        self.credentials = session.get_credentials()  # None: anonymous (a public bucket)
        self.region = options.get("region") or session.get_config_variable("region") or "us-east-1"
        endpoint = (
            options.get("endpoint")
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
            or f"https://s3.{self.region}.amazonaws.com"
        )
        ep = urllib.parse.urlsplit(endpoint)
        if ep.scheme not in ("http", "https") or not ep.hostname:
            raise ManifestError(f"bad S3 endpoint {endpoint!r}: use http(s)://HOST[:PORT]")
        self.scheme, self.host, self.port = ep.scheme, ep.hostname, ep.port
        self.base = f"{ep.scheme}://{ep.netloc}"
        quoted = urllib.parse.quote(f"{self.bucket}/{self.key}", safe="/~")
        self.path = f"{ep.path.rstrip('/')}/{quoted}"
        self._conn: http.client.HTTPConnection | None = None
        self._signed: dict[str | None, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()  # one connection, possibly shared by watchers

    def _connect(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            ctx = ssl.create_default_context(cafile=os.environ.get("AWS_CA_BUNDLE") or None)
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=ctx
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _headers(self, stamp: str | None) -> dict[str, str]:
        # A signature stays valid for 15 minutes (X-Amz-Date), and a poll repeats the same
        # request, so one is reused for a while instead of re-signed every second.
        now = time.monotonic()
        cached = self._signed.get(stamp)
        if cached is not None and now - cached[0] < RESIGN_AFTER:
            return cached[1]
        headers = self._sign(stamp)
        self._signed = {stamp: (now, headers)}
        return headers

    def _sign(self, stamp: str | None) -> dict[str, str]:
        headers = {"If-None-Match": stamp} if stamp else {}
        if self.credentials is None:
            return headers
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method="GET", url=self.base + self.path, headers=headers)
        # get_frozen_credentials() refreshes expiring ones (web identity, instance roles)
        S3SigV4Auth(self.credentials.get_frozen_credentials(), "s3", self.region).add_auth(request)
        return dict(request.headers.items())

    def get(self, stamp: str | None, max_bytes: int) -> tuple[int, bytes, str | None]:
        """``(status, body, etag)``; one retry on a fresh connection if a kept one broke."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None:
                        self._conn = self._connect()
                    self._conn.request("GET", self.path, headers=self._headers(stamp))
                    resp = self._conn.getresponse()
                    body = resp.read(max_bytes + 1)
                    if len(body) > max_bytes:
                        self._close()
                        raise ManifestError(
                            f"manifest {self.source} is over the {max_bytes:,}-byte limit"
                        )
                    if not resp.isclosed():
                        resp.read()  # drain, so the connection can be kept
                    return resp.status, body, resp.getheader("ETag")
                except (OSError, http.client.HTTPException) as exc:
                    self._close()
                    if attempt == 2:
                        raise Unavailable(f"{type(exc).__name__}: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_SOURCES: dict[tuple[str, float], S3Source] = {}
_SOURCES_LOCK = threading.Lock()


def source_for(source: str, timeout: float) -> S3Source:
    """The shared :class:`S3Source` for ``source`` (credentials resolved once)."""
    with _SOURCES_LOCK:
        found = _SOURCES.get((source, timeout))
        if found is None:
            found = _SOURCES[(source, timeout)] = S3Source(source, timeout)
        return found


def fetch(source: str, stamp: Any, timeout: float, max_bytes: int) -> tuple[bytes | None, Any]:
    """``(data, etag)``, ``(None, stamp)`` when unchanged; raises for 4xx, :class:`Unavailable`."""
    s3 = source_for(source, timeout)
    status, body, etag = s3.get(stamp if isinstance(stamp, str) else None, max_bytes)
    if status == 304:
        return None, stamp
    if status == 200:
        return body, etag
    match = _CODE.search(body)
    code = match.group(1).decode("ascii", "replace") if match else "error"
    if status == 404:
        raise ManifestNotFound(f"manifest {source} not found ({code})")
    if status < 500:
        raise ManifestUnavailable(f"cannot fetch manifest {source}: {code} (HTTP {status})")
    raise Unavailable(f"{code} (HTTP {status})")
