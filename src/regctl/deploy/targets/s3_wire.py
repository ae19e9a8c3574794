"""boto3 signs, :mod:`regctl.io.safehttp` sends: the S3 target's requests, bounded.

botocore's own HTTP stack (urllib3) times each socket read, not the request, and
hands the caller a body to read whole (``Body.read()``): a store that trickles or
floods hangs ``plan`` or exhausts its memory. So the S3 target keeps boto3 for what
it does well (the AWS credential chain, SigV4 signing, the request and response
models) and takes over the wire: a ``before-send`` hook (botocore's documented way
to answer a request itself) sends the signed request with :func:`safehttp.request`
(a total deadline, a body cap while reading, no redirects) and returns the answer
to botocore as if urllib3 had read it.

The hook also holds the connection to the endpoint the policy approved: boto3 is
given the endpoint rebuilt from the parsed :class:`~regctl.io.urls.Endpoint` (no user
info, no ambiguity), and a request whose URL does not start with exactly that origin
is refused before anything is sent.

This module is the S3 target's one adapter to boto3 (the import-linter contract
``io-boundary`` names it): the URI and endpoint parsing, the client, the hook, and the
translation of botocore's failures into one-line reasons (:func:`call`).
"""

from __future__ import annotations

import io
import os
import re
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

from regctl.base.errors import UsageError
from regctl.io import safehttp, urls

_REGION = re.compile(r"[a-z0-9-]{1,40}")
#: Largest answer to anything but GetObject (a listing of MAX_VERSIONS versions is ~100 KB).
MAX_LISTING_BYTES = 16 * 1024 * 1024
#: Headers botocore adds that the bridge does not honour (http.client sends the body at once).
_DROPPED = frozenset({"expect"})


class WireError(Exception):
    """The exchange failed in the bridge; ``str()`` is one line without the request."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class _Body(io.BytesIO):
    """A complete body that botocore reads like urllib3's response (``stream()``, ``read()``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        data = self.getvalue()
        if data:
            yield data


class Wire:
    """The ``before-send`` hook of one S3 client: sends to ``endpoint`` only."""

    def __init__(
        self,
        endpoint: urls.Endpoint,
        *,
        timeout: float,
        max_bytes: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.ssl_context = ssl_context
        self._local = threading.local()

    @property
    def base(self) -> str:
        """The endpoint URL boto3 is given: the approved origin (and path prefix, if any)."""
        return self.endpoint.origin + self.endpoint.path.rstrip("/")

    def start(self) -> float:
        """Open a total deadline for the calls (and retries) until :meth:`start` again."""
        self._local.deadline = time.monotonic() + self.timeout
        return float(self._local.deadline)

    def send(self, request: Any, event_name: str = "", **_: Any) -> Any:
        """Send botocore's prepared ``request``; return an ``AWSResponse`` for it."""
        from botocore.awsrequest import AWSResponse

        url = str(request.url)
        origin = self.endpoint.origin
        if not (url.startswith(origin + "/") or url == origin):
            raise WireError("the request does not go to the approved endpoint", retry=False)
        try:
            ep = self.endpoint.with_target(url[len(origin) :] or "/")
        except urls.BadUrl as exc:
            raise WireError(f"cannot send the request: {exc}", retry=False) from None
        headers = {
            str(k): (v.decode("latin-1") if isinstance(v, bytes) else str(v))
            for k, v in request.headers.items()
            if str(k).lower() not in _DROPPED
        }
        body = request.body
        if body is not None and not isinstance(body, bytes):
            body = body.read() if hasattr(body, "read") else bytes(body)
        cap = self.max_bytes if event_name.endswith(".GetObject") else MAX_LISTING_BYTES
        deadline = getattr(self._local, "deadline", None)
        try:
            resp = safehttp.request(
                str(request.method),
                ep,
                headers=headers,
                body=body,
                timeout=self.timeout,
                deadline=deadline,
                max_bytes=cap,
                keep_alive=True,
                ssl_context=self.ssl_context,
            )
        except safehttp.Timeout:
            raise WireError(f"timed out after {self.timeout:g} s", retry=False) from None
        except safehttp.ConnectFailed as exc:
            reason = str(exc).removeprefix(ep.shown + ": ")
            if reason == "connection refused":
                reason = "connection refused or host unreachable"
            raise WireError(reason, retry=True) from None
        except safehttp.HttpError as exc:
            raise WireError(str(exc).removeprefix(ep.shown + ": "), retry=False) from None
        if 300 <= resp.status < 400 and resp.status != 304:
            # botocore would follow an S3 redirect itself, to a host no policy looked at.
            raise WireError(
                f"the store answered HTTP {resp.status} (a redirect, not followed: "
                "check the endpoint and the region)",
                retry=False,
            )
        return AWSResponse(url, resp.status, resp.headers, _Body(resp.body))


class CallFailed(Exception):
    """An S3 call failed: a one-line ``reason``, the HTTP ``status`` if any, retry or not."""

    def __init__(self, reason: str, status: int | None, retry: bool) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry = reason, status, retry


def call(client: Any, method: str, **kwargs: Any) -> dict[str, Any]:
    """``client.<method>(**kwargs)``: the answer (a dict), or :class:`CallFailed`.

    Retry is advised for connection failures and 5xx answers only.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = getattr(client, method)(**kwargs)
    except WireError as exc:
        raise CallFailed(str(exc), None, exc.retry) from None
    except (BotoCoreError, ClientError) as exc:
        reason, status = s3_error(exc)
        raise CallFailed(reason, status, (status or 0) >= 500) from None
    if not isinstance(answer, dict):
        raise CallFailed("the store's answer is not an S3 answer", None, False)
    return answer


def parse_s3_uri(uri: str) -> tuple[str, str, dict[str, str]]:
    """``s3://BUCKET/KEY?endpoint=URL&region=R`` -> (bucket, key, options)."""
    try:
        parts = urls.parse_store(uri, ("s3",))
    except urls.BadUrl as exc:
        raise UsageError(f"bad S3 target: {exc}; use s3://BUCKET/KEY") from None
    bucket, key = parts.authority, parts.path
    if "@" in bucket:
        raise UsageError(
            "credentials in an S3 target URI are not allowed; use the AWS credential chain "
            "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity)"
        )
    if not bucket or not key or key.endswith("/"):
        raise UsageError(f"bad S3 target {urls.redact(uri)!r}: use s3://BUCKET/KEY")
    unknown = sorted(set(parts.options) - {"endpoint", "region"})
    if unknown:
        raise UsageError(f"unknown S3 target option(s) {', '.join(unknown)} in {uri!r}")
    return bucket, key, parts.options


def s3_endpoint(options: dict[str, str], region: str) -> tuple[urls.Endpoint, bool]:
    """The parsed endpoint, and whether it came from the URI (a host the registry chose).

    ``?endpoint=`` on the URI, else ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` (the
    operator's), else AWS in ``region``. Parsed by :func:`regctl.io.urls.parse`: boto3
    gets the URL rebuilt from the result, so it connects where the policy looked.
    """
    from_uri = bool(options.get("endpoint"))
    text = (
        options.get("endpoint")
        or os.environ.get("AWS_ENDPOINT_URL_S3")
        or os.environ.get("AWS_ENDPOINT_URL")
        or f"https://s3.{region}.amazonaws.com"
    )
    try:
        ep = urls.parse(text)
    except urls.BadUrl as exc:
        raise UsageError(f"bad S3 endpoint: {exc}") from None
    if ep.query:
        raise UsageError("bad S3 endpoint: an endpoint URL takes no query (?...)")
    return ep, from_uri


def s3_client(region: str, wire: Wire, *, signed: bool = True) -> Any:
    """A boto3 S3 client whose requests go out through ``wire`` (credentials from the chain).

    ``signed=False``: anonymous requests (no credentials, no signature) for an endpoint
    the operator did not allow (see :class:`S3Target`). botocore's retries are off:
    :class:`S3Target` retries within one total deadline.
    """
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UsageError("s3:// targets need boto3: pip install 'regctl[s3]'") from None
    from botocore import UNSIGNED

    config = Config(
        signature_version=None if signed else UNSIGNED,
        retries={"total_max_attempts": 1, "mode": "standard"},
        # Path-style addressing works with every S3-compatible store on any host name.
        s3={"addressing_style": "path"},
    )
    client = boto3.session.Session().client(
        "s3", endpoint_url=wire.base, region_name=region, config=config
    )
    client.meta.events.register("before-send.s3", wire.send)
    return client


def s3_error(exc: Exception) -> tuple[str, int | None]:
    """A short reason for a botocore failure (never the request, which holds signatures)."""
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = _short(err.get("Code"))
        status = status if isinstance(status, int) else None
        if not code or code.isdigit():  # no S3 error document, or one botocore made up
            return f"HTTP {status}", status
        return f"{code} (HTTP {status})", status
    if isinstance(exc, NoCredentialsError):
        return (
            "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)",
            None,
        )
    return type(exc).__name__, None


def _short(value: Any) -> str:
    """An S3 error code from the answer: printable, short (a hostile store chooses it)."""
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text[:64] if ch.isalnum() or ch in "._-")


def s3_region(options: dict[str, str]) -> str:
    """``?region=``, else ``AWS_REGION`` or the AWS configuration, else ``us-east-1``."""
    region = options.get("region") or os.environ.get("AWS_REGION")
    if not region:
        import botocore.session

        region = botocore.session.get_session().get_config_variable("region") or "us-east-1"
    if not _REGION.fullmatch(str(region)):
        raise UsageError(f"bad S3 region {str(region)[:40]!r}: use a name like us-east-1")
    return str(region)
