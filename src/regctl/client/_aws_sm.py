"""``aws-sm:SECRET_ID[#FIELD]``: a secret of AWS Secrets Manager (``GetSecretValue``).

``SECRET_ID`` is a secret's name or ARN. ``#FIELD`` takes one key of a JSON secret;
without it the whole ``SecretString`` is the value (a ``SecretBinary`` must be UTF-8).

Credentials come from botocore's standard chain (environment, shared config and
credentials files, SSO, web identity, container and instance roles): regctl never
reads them itself. botocore signs the request (SigV4) and is imported only when an
``aws-sm:`` reference is first resolved (the ``aws`` extra installs it). The request
goes through :mod:`regctl.io.safehttp` (total deadline, body cap, no redirect) rather
than botocore's own sender, which bounds each socket read but not the whole exchange.

Region: the ARN's, else ``$AWS_REGION``, ``$AWS_DEFAULT_REGION``, the profile's.
Endpoint: ``$AWS_ENDPOINT_URL_SECRETS_MANAGER``, ``$AWS_ENDPOINT_URL`` or the profile's
``endpoint_url`` (botocore's configured-endpoint rules), else
``https://secretsmanager.REGION.amazonaws.com`` (``.com.cn`` in China): a reference
names a region, never a host, so credentials only go where the environment says.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import ssl
import threading
import time
from typing import Any

from regctl.client import _aws_logs, _stores
from regctl.client.errors import (
    SecretAccessDenied,
    SecretConfigError,
    SecretError,
    SecretNotFound,
    SecretStoreUnavailable,
)
from regctl.client.secret_refs import AWS_SM_FORM, AwsSmRef, is_region, parse_aws_sm
from regctl.client.secretstr import SecretStr
from regctl.io import jsondoc, safehttp, tls, urls

TARGET = "secretsmanager.GetSecretValue"
_ENDPOINT_VAR = "AWS_ENDPOINT_URL_SECRETS_MANAGER"
#: Variables in a cached value's key: they pick the region, account or endpoint read.
_KEYED = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", _ENDPOINT_VAR)
_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
_XML_CODE = re.compile(r"<Code>([^<]{1,128})</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,1000})</Message>")

_state: dict[str, Any] = {}  # "session": the botocore session
_state_lock = threading.Lock()


_parsed: dict[str, AwsSmRef] = {}  # reference -> its parse (a hit must stay cheap)


def resolve(ref: str, rest: str, *, refresh: bool = False) -> SecretStr:
    """The value of ``aws-sm:rest`` (``ref`` is the whole reference, for messages)."""
    parsed = _stores.parsed_ref(_parsed, ref, rest, parse_aws_sm, AWS_SM_FORM)
    # Region, endpoint and credentials are worked out only when the store is asked; the
    # variables that most often pick another region or account are part of the key.
    where = tuple(os.environ.get(n) for n in _KEYED)
    return _stores.cached(
        ("aws-sm", where, ref), lambda: _load(ref, parsed), refresh=refresh, ref=ref
    )


def _load(ref: str, parsed: AwsSmRef) -> SecretStr:
    _stores.check_settings(ref)
    session = _session(ref)
    region = _region(ref, parsed, session)
    endpoint = _endpoint(ref, parsed, region, session)
    return _read(ref, parsed, session, region, endpoint)


def _session(ref: str) -> Any:
    with _state_lock:
        found = _state.get("session")
        if found is None:
            try:
                import botocore.session
            except ImportError:
                raise SecretConfigError(
                    f"{ref}: aws-sm: references need botocore: pip install 'regctl[aws]'"
                ) from None
            found = _state["session"] = botocore.session.get_session()
        return found


def _region(ref: str, parsed: AwsSmRef, session: Any) -> str:
    region = (
        parsed.region
        or os.environ.get("AWS_REGION", "").strip()
        or os.environ.get("AWS_DEFAULT_REGION", "").strip()
        or session.get_config_variable("region")
    )
    if not region:
        raise SecretConfigError(f"{ref}: no AWS region: use the secret's ARN, or set AWS_REGION")
    if not is_region(region):
        raise SecretConfigError(f"{ref}: {_stores.store_words(region)!r} is not an AWS region")
    return str(region)


def _endpoint(ref: str, parsed: AwsSmRef, region: str, session: Any) -> str:
    configured = None
    try:
        from botocore.configprovider import ConfiguredEndpointProvider

        configured = ConfiguredEndpointProvider(
            session.full_config, session.get_scoped_config(), "secretsmanager"
        ).provide()
    except ImportError:  # botocore before 1.31: the variables only
        configured = os.environ.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or os.environ.get(
            "AWS_ENDPOINT_URL"
        )
    except Exception as exc:  # a broken profile
        raise SecretConfigError(f"{ref}: AWS configuration: {type(exc).__name__}") from None
    if not configured:
        china = parsed.partition == "aws-cn" or region.startswith("cn-")
        return f"https://secretsmanager.{region}.amazonaws.com{'.cn' if china else ''}"
    try:
        # The one URL parser of regctl.io: what is checked here is what safehttp connects to.
        ep = urls.parse(str(configured))
    except urls.BadUrl as exc:
        raise SecretConfigError(
            f"{ref}: the Secrets Manager endpoint must be http(s)://HOST[:PORT] ({exc})"
        ) from None
    if ep.query:
        raise SecretConfigError(f"{ref}: the Secrets Manager endpoint must have no query")
    return ep.origin + ep.path.rstrip("/")


def _tls(ref: str, session: Any) -> ssl.SSLContext | None:
    bundle = session.get_config_variable("ca_bundle")
    if not bundle:
        return None
    try:
        return tls.context(str(bundle))
    except tls.TlsError as exc:
        raise SecretConfigError(f"{ref}: AWS_CA_BUNDLE: {exc}") from None


def _signed(
    ref: str, session: Any, region: str, url: str, body: bytes
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The signed request's headers, and the credentials' secret parts (to mask in errors)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    try:
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except Exception as exc:  # an expired SSO session, an unreachable role endpoint...
        raise SecretConfigError(
            f"{ref}: cannot get AWS credentials ({type(exc).__name__})"
        ) from None
    if frozen is None or not frozen.access_key:
        raise SecretConfigError(
            f"{ref}: no AWS credentials (botocore's chain: environment, profile, SSO,"
            " web identity, container or instance role)"
        )
    hide = tuple(str(part) for part in (frozen.secret_key, frozen.token) if part)
    _aws_logs.hide(*hide)  # the signer logs the session token at DEBUG
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET}
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(frozen, "secretsmanager", region).add_auth(request)
    return {k: str(v) for k, v in request.headers.items()}, hide


def _read(ref: str, parsed: AwsSmRef, session: Any, region: str, endpoint: str) -> SecretStr:
    total = _stores.timeout()
    deadline = time.monotonic() + total
    body = json.dumps({"SecretId": parsed.secret_id}).encode("utf-8")
    url = endpoint + "/"
    headers, hide = _signed(ref, session, region, url, body)
    shown = endpoint  # built from the parsed origin and path: no user info, no query
    try:
        resp = safehttp.request(
            "POST",
            url,
            headers=headers,
            body=body,
            timeout=max(deadline - time.monotonic(), 0.001),
            max_bytes=_stores.MAX_BODY,
            ssl_context=_tls(ref, session) if url.startswith("https:") else None,
        )
    except safehttp.Timeout:
        raise SecretStoreUnavailable(
            f"{ref}: Secrets Manager at {shown} did not answer within {total:g} s"
        ) from None
    except safehttp.BodyTooLarge:
        raise SecretStoreUnavailable(
            f"{ref}: the answer is over the {_stores.MAX_BODY:,}-byte limit"
        ) from None
    except safehttp.HttpError as exc:
        why = str(exc).rpartition(": ")[2] or type(exc).__name__
        raise SecretStoreUnavailable(
            f"{ref}: cannot reach Secrets Manager at {shown} ({why})"
        ) from None
    if resp.status != 200:
        raise _failure(ref, parsed, region, resp.status, resp.body, hide)
    try:
        answer = jsondoc.loads(resp.body, "Secrets Manager's answer")
    except jsondoc.BadJson:
        answer = None
    if not isinstance(answer, dict):
        raise SecretStoreUnavailable(f"{ref}: Secrets Manager's answer is not a JSON object")
    return SecretStr(_value(ref, parsed, answer), ref)


def _value(ref: str, parsed: AwsSmRef, answer: dict[str, Any]) -> str:
    text = answer.get("SecretString")
    if not isinstance(text, str):
        blob = answer.get("SecretBinary")
        try:
            text = base64.b64decode(blob, validate=True).decode("utf-8") if blob else None
        except (binascii.Error, ValueError, TypeError):
            raise SecretError(f"{ref}: the secret is binary and not UTF-8 text") from None
    if text is None:
        raise SecretNotFound(f"{ref}: the secret has no value (neither SecretString nor binary)")
    if parsed.field is None:
        if not text.strip():
            raise SecretNotFound(f"{ref}: the secret is empty")
        return text.strip()
    try:
        fields = jsondoc.loads(text.encode("utf-8"), "the secret")
    except jsondoc.BadJson:
        fields = None
    if not isinstance(fields, dict):
        raise SecretError(
            f"{ref}: the secret is not a JSON object, so it has no field {parsed.field!r}"
        )
    if parsed.field not in fields:
        raise SecretNotFound(f"{ref}: the secret has no field {parsed.field!r}")
    value = fields[parsed.field]
    if not isinstance(value, str):
        raise SecretError(f"{ref}: field {parsed.field!r} is not a string")
    if not value.strip():
        raise SecretNotFound(f"{ref}: field {parsed.field!r} is empty")
    return value.strip()


def _failure(
    ref: str, parsed: AwsSmRef, region: str, status: int, raw: bytes, hide: tuple[str, ...]
) -> SecretError:
    code, message = _error_of(raw)
    words = f"{code}: {_stores.store_words(message, *hide)}" if message else code
    if code == "ResourceNotFoundException":
        return SecretNotFound(f"{ref}: no secret {parsed.secret_id!r} in region {region} ({words})")
    if code in _DENIED or status == 403:
        return SecretAccessDenied(f"{ref}: AWS denied GetSecretValue (HTTP {status}, {words})")
    if status >= 500 or status == 429 or "Throttl" in code:
        return SecretStoreUnavailable(f"{ref}: Secrets Manager answered HTTP {status} ({words})")
    return SecretError(f"{ref}: Secrets Manager answered HTTP {status} ({words})")


def _error_of(raw: bytes) -> tuple[str, str]:
    """``(code, message)`` of an error body: AWS JSON (``__type``) or XML (``<Code>``)."""
    text = raw[:4096].decode("utf-8", "replace")
    try:
        answer = jsondoc.loads(raw, "the error")
    except jsondoc.BadJson:
        answer = None
    if isinstance(answer, dict):
        code = str(answer.get("__type") or answer.get("code") or "error").rpartition("#")[2]
        message = answer.get("Message") or answer.get("message") or ""
        return _stores.store_words(code), str(message)
    code_match, message_match = _XML_CODE.search(text), _XML_MESSAGE.search(text)
    code = code_match.group(1) if code_match else "error"
    return _stores.store_words(code), message_match.group(1) if message_match else ""


def clear() -> None:
    """Forget the botocore session (credentials are looked up again)."""
    with _state_lock:
        _state.clear()
