"""One request to Vault / OpenBao: the server from the standard variables, TLS, bounds.

The address is ``$VAULT_ADDR`` (default ``https://127.0.0.1:8200``, as Vault's own
clients), the namespace ``$VAULT_NAMESPACE`` (sent as ``X-Vault-Namespace``), and for
https the CAs are the system's, or ``$VAULT_CACERT`` (a file) / ``$VAULT_CAPATH`` (a
folder), with ``$VAULT_CLIENT_CERT``/``$VAULT_CLIENT_KEY`` for TLS client
authentication. Certificates and host names are always verified: ``VAULT_SKIP_VERIFY``
is not honoured. Every exchange goes through :mod:`regctl.io.safehttp` under the
read's total deadline and :data:`._stores.MAX_BODY`; a redirect is never followed (it
would carry the token to a host the answer names).

Messages name the reference and the server, never a token or a value.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from dataclasses import dataclass
from typing import Any

from regctl.client import _stores
from regctl.client.errors import SecretConfigError, SecretError, SecretStoreUnavailable
from regctl.io import jsondoc, safehttp, tls, urls

DEFAULT_ADDR = "https://127.0.0.1:8200"


@dataclass(frozen=True)
class Server:
    """Where to ask: ``addr`` (no trailing slash), the namespace, the TLS context."""

    addr: str
    namespace: str
    context: ssl.SSLContext | None

    @property
    def shown(self) -> str:
        """The address as printed: ``addr`` is built from the parsed origin and path, so it
        holds no user info and no query."""
        return self.addr


def server(ref: str) -> Server:
    """The server of the standard variables; :class:`SecretConfigError` when they are bad."""
    addr = (os.environ.get("VAULT_ADDR") or "").strip() or DEFAULT_ADDR
    try:
        # The one URL parser of regctl.io: what is checked here is what safehttp connects to.
        ep = urls.parse(addr)
    except urls.BadUrl as exc:
        raise SecretConfigError(
            f"{ref}: VAULT_ADDR must be http(s)://HOST[:PORT] ({exc})"
        ) from None
    if ep.query:
        raise SecretConfigError(f"{ref}: VAULT_ADDR must be http(s)://HOST[:PORT] (no query)")
    namespace = (os.environ.get("VAULT_NAMESPACE") or "").strip().strip("/")
    if namespace and not namespace.isprintable():
        raise SecretConfigError(f"{ref}: VAULT_NAMESPACE holds control characters")
    context = _tls_context(ref) if ep.scheme == "https" else None
    return Server(ep.origin + ep.path.rstrip("/"), namespace, context)


def _tls_context(ref: str) -> ssl.SSLContext:
    names = ("VAULT_CACERT", "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_CAPATH")
    cacert, cert, key, capath = (os.environ.get(n, "").strip() or None for n in names)
    try:
        return tls.context(cacert, cert, key, capath)
    except tls.TlsError as exc:
        which = "VAULT_CLIENT_CERT/VAULT_CLIENT_KEY" if cert else "VAULT_CACERT/VAULT_CAPATH"
        raise SecretConfigError(f"{ref}: {which}: {exc}") from None


def call(
    ref: str,
    srv: Server,
    method: str,
    api_path: str,
    deadline: float,
    *,
    token: str | None = None,
    body: dict[str, Any] | None = None,
    hide: tuple[str, ...] = (),
) -> tuple[int, dict[str, Any]]:
    """``(status, JSON object)`` of ``METHOD {addr}/v1/{api_path}``.

    Raises :class:`SecretStoreUnavailable` when the server cannot be asked (down,
    deadline, TLS, too large, 5xx, a redirect, not JSON). ``hide`` are strings to mask
    in any text of the server's that is shown.
    """
    headers = {
        "Accept": "application/json",
        "User-Agent": "regctl-client",
        "X-Vault-Request": "true",
    }
    if token is not None:
        headers["X-Vault-Token"] = token
    if srv.namespace:
        headers["X-Vault-Namespace"] = srv.namespace
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    url = f"{srv.addr}/v1/{api_path}"
    remaining = deadline - time.monotonic()
    total = _stores.timeout()
    if remaining <= 0:
        raise SecretStoreUnavailable(
            f"{ref}: Vault at {srv.shown} did not answer within {total:g} s"
        )
    try:
        resp = safehttp.request(
            method,
            url,
            headers=headers,
            body=data,
            timeout=remaining,
            max_bytes=_stores.MAX_BODY,
            follow_redirects=False,
            ssl_context=srv.context,
        )
    except safehttp.Timeout:
        raise SecretStoreUnavailable(
            f"{ref}: Vault at {srv.shown} did not answer within {total:g} s"
        ) from None
    except safehttp.BodyTooLarge:
        raise SecretStoreUnavailable(
            f"{ref}: Vault's answer is over the {_stores.MAX_BODY:,}-byte limit"
        ) from None
    except safehttp.HttpError as exc:
        why = str(exc).rpartition(": ")[2] or type(exc).__name__
        if "SSL" in why or "Certificate" in why:
            why += "; set VAULT_CACERT to the CA of the server's certificate"
        raise SecretStoreUnavailable(f"{ref}: cannot reach Vault at {srv.shown} ({why})") from None
    status = resp.status
    if 300 <= status < 400:
        raise SecretStoreUnavailable(
            f"{ref}: Vault at {srv.shown} answered a redirect (HTTP {status}), not followed:"
            " set VAULT_ADDR to the server that answers"
        )
    try:
        answer = jsondoc.loads(resp.body, "Vault's answer") if resp.body.strip() else {}
    except jsondoc.BadJson:
        answer = None
    if not isinstance(answer, dict):
        raise SecretStoreUnavailable(
            f"{ref}: Vault at {srv.shown} answered HTTP {status} with a body that is not"
            " a JSON object"
        )
    if status >= 500 or status == 429:
        raise SecretStoreUnavailable(
            f"{ref}: Vault at {srv.shown} answered HTTP {status}{errors_text(answer, hide)}"
        )
    return status, answer


def errors_text(answer: dict[str, Any], hide: tuple[str, ...] = ()) -> str:
    """``": <Vault's first error>"`` made safe to show, or ``""`` when it gave none."""
    errors = answer.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], str) and errors[0]:
        return ": " + _stores.store_words(errors[0], *hide)
    return ""


def unexpected(ref: str, srv: Server, status: int, answer: dict[str, Any]) -> SecretError:
    """The error for an answer no branch expected (HTTP 400, 405...)."""
    return SecretError(f"{ref}: Vault at {srv.shown} answered HTTP {status}{errors_text(answer)}")
