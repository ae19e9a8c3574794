"""``s3://BUCKET/KEY`` manifest sources: a conditional GET signed by botocore, sent bounded.

A watcher polls its source every second or so, so a poll must be cheap. boto3's full
request pipeline (event hooks, parameter validation, response parsing, an exception
object for every 304) costs about 1.7 ms of CPU per poll; signing the same request with
botocore's ``S3SigV4Auth`` (reused for two minutes: a poll repeats the same request) and
sending it with :func:`regctl.io.safehttp.request` over a kept-alive connection costs
about 0.2 ms (bench/README.md, "Fleet propagation"). The exchange has a total deadline
(a store trickling bytes cannot stretch ``timeout``) and a body cap enforced while
reading. Credentials still come from botocore's standard chain (environment, profile,
web identity, instance role); regctl never reads them itself. botocore is imported
only when an ``s3://`` source is used.

Endpoint: ``?endpoint=URL`` on the source, else ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL``, else AWS (``https://s3.REGION.amazonaws.com``), always with
path-style addressing, which every S3-compatible store accepts. It is parsed once by
:func:`regctl.io.urls.parse`; the request is signed for, and sent to, that endpoint.
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

from regctl.base.i18n import msg
from regctl.client import _aws_logs
from regctl.client.errors import ManifestError, ManifestNotFound, ManifestUnavailable
from regctl.io import safehttp, tls, urls

#: Seconds a signed request is reused (S3 accepts a signature for 15 minutes; credentials
#: from a refreshing source are looked at again when it is re-signed).
RESIGN_AFTER = 120.0
#: The error code of an S3 error document (<Error><Code>NoSuchKey</Code>...)
_CODE = re.compile(rb"<Code>([A-Za-z0-9._-]{1,64})</Code>")


class Unavailable(Exception):
    """The store could not be reached or answered 5xx: the caller falls back to its cache."""


class S3Source:
    """One ``s3://`` source with its signer (the connection is kept by safehttp's pool)."""

    def __init__(self, source: str, timeout: float) -> None:
        try:
            parts = urls.parse_store(source, ("s3",))
        except urls.BadUrl as exc:
            raise ManifestError(msg("bad S3 source: {reason}", reason=str(exc))) from None
        options = parts.options
        self.bucket, self.key = parts.authority, parts.path
        if not self.bucket or not self.key or "@" in self.bucket:
            raise ManifestError(
                msg("bad S3 source {source}: use s3://BUCKET/KEY", source=repr(urls.redact(source)))
            )
        try:
            import botocore.session
        except ImportError:
            raise ManifestError(msg("s3:// sources need boto3: pip install 'regctl[s3]'")) from None
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
        try:
            ep = urls.parse(endpoint)
            quoted = urls.quote_path(f"{self.bucket}/{self.key}")
            self.endpoint = ep.with_target(f"{ep.path.rstrip('/')}/{quoted}")
            bundle = os.environ.get("AWS_CA_BUNDLE") if ep.scheme == "https" else None
            # None: safehttp's default context (https) or none at all (http): loading a CA
            # bundle costs ~50 ms, not to be paid for a plain-http endpoint.
            self.ssl_context = tls.context(bundle) if bundle else None
        except (urls.BadUrl, tls.TlsError) as exc:
            raise ManifestError(
                msg(
                    "bad S3 endpoint for {source}: {reason}",
                    source=urls.redact(source),
                    reason=str(exc),
                )
            ) from None
        self._signed: dict[str | None, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()  # the signature cache, possibly shared by watchers

    def _headers(self, stamp: str | None) -> dict[str, str]:
        # A signature stays valid for 15 minutes (X-Amz-Date), and a poll repeats the same
        # request, so one is reused for a while instead of re-signed every second.
        now = time.monotonic()
        with self._lock:
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

        request = AWSRequest(method="GET", url=self.endpoint.url, headers=headers)
        # get_frozen_credentials() refreshes expiring ones (web identity, instance roles)
        frozen = self.credentials.get_frozen_credentials()
        _aws_logs.hide(frozen.secret_key, frozen.token)  # the signer logs the token at DEBUG
        S3SigV4Auth(frozen, "s3", self.region).add_auth(request)
        return {str(k): str(v) for k, v in request.headers.items()}

    def get(self, stamp: str | None, max_bytes: int) -> safehttp.Response:
        """One bounded GET (conditional on ``stamp``); raises :class:`Unavailable`."""
        try:
            return safehttp.request(
                "GET",
                self.endpoint,
                headers=self._headers(stamp),
                timeout=self.timeout,
                max_bytes=max_bytes,
                keep_alive=True,
                ssl_context=self.ssl_context,
            )
        except safehttp.BodyTooLarge:
            raise ManifestError(
                msg(
                    "manifest {source} is over the {limit}-byte limit",
                    source=urls.redact(self.source),
                    limit=format(max_bytes, ","),
                )
            ) from None
        except safehttp.HttpError as exc:
            raise Unavailable(str(exc).removeprefix(self.endpoint.shown + ": ")) from None


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
    resp = s3.get(stamp if isinstance(stamp, str) else None, max_bytes)
    status = resp.status
    if status == 304:
        return None, stamp
    if status == 200:
        return resp.body, resp.headers.get("etag")
    match = _CODE.search(resp.body[:65536])
    code = match.group(1).decode("ascii") if match else "error"
    shown = urls.redact(source)
    if status == 404:
        raise ManifestNotFound(msg("manifest {source} not found ({code})", source=shown, code=code))
    if status < 500:
        raise ManifestUnavailable(
            msg(
                "cannot fetch manifest {source}: {code} (HTTP {status})",
                source=shown,
                code=code,
                status=status,
            )
        )
    raise Unavailable(f"{code} (HTTP {status})")
