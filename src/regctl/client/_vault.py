"""``vault:MOUNT/PATH#FIELD[@VERSION]``: one field of a KV version 2 secret in HashiCorp
Vault or OpenBao, read with the standard library.

``vault:secret/openai#api_key`` reads ``GET {VAULT_ADDR}/v1/secret/data/openai`` and
takes the field ``api_key`` of ``data.data``; ``@3`` asks for version 3
(``?version=3``). The first path segment is the mount. The server, namespace and TLS
settings are in :mod:`._vault_http`, the token's sources in :mod:`._vault_auth`. A
value is cached for the TTL of :mod:`._stores`; a login token Vault refuses with 403 is
dropped and the read is tried once more after a new login (an expired AppRole token).
"""

from __future__ import annotations

import os
import time
import urllib.parse
from typing import Any

from regctl.client import _stores, _vault_auth, _vault_http
from regctl.client.errors import (
    SecretAccessDenied,
    SecretError,
    SecretNotFound,
)
from regctl.client.secret_refs import VAULT_FORM, VaultRef, parse_vault
from regctl.client.secretstr import SecretStr

_parsed: dict[str, VaultRef] = {}  # reference -> its parse (a hit must stay cheap)


def resolve(ref: str, rest: str, *, refresh: bool = False) -> SecretStr:
    """The value of ``vault:rest`` (``ref`` is the whole reference, for messages)."""
    parsed = _stores.parsed_ref(_parsed, ref, rest, parse_vault, VAULT_FORM)
    # The rest of the settings (token, TLS) are looked at only when the store is asked.
    where = (os.environ.get("VAULT_ADDR"), os.environ.get("VAULT_NAMESPACE"))
    return _stores.cached(
        ("vault", where, ref), lambda: _read(ref, parsed), refresh=refresh, ref=ref
    )


def clear() -> None:
    """Forget cached login tokens (values live in :mod:`._stores`)."""
    _vault_auth.clear()


def _read(ref: str, parsed: VaultRef) -> SecretStr:
    _stores.check_settings(ref)
    srv = _vault_http.server(ref)
    deadline = time.monotonic() + _stores.timeout()
    path = "/".join(urllib.parse.quote(s, safe="") for s in parsed.path.split("/"))
    api_path = f"{urllib.parse.quote(parsed.mount, safe='')}/data/{path}"
    if parsed.version is not None:
        api_path += f"?version={parsed.version}"
    tok = _vault_auth.token(ref, srv, deadline)
    status, answer = _vault_http.call(ref, srv, "GET", api_path, deadline, token=tok.value)
    if status == 403 and tok.login is not None:
        _vault_auth.forget(tok)  # expired or revoked: log in once more
        tok = _vault_auth.token(ref, srv, deadline)
        status, answer = _vault_http.call(ref, srv, "GET", api_path, deadline, token=tok.value)
    if status == 403:
        raise SecretAccessDenied(
            f"{ref}: Vault at {srv.shown} denied the read with the token from {tok.source}"
            f" (HTTP 403{_vault_http.errors_text(answer, (tok.value,))})"
        )
    where = f"{parsed.mount}/{parsed.path}"
    version = f" version {parsed.version}" if parsed.version is not None else ""
    data = answer.get("data")
    meta = data.get("metadata") if isinstance(data, dict) else None
    if status == 404:
        if isinstance(meta, dict) and meta.get("destroyed") is True:
            raise SecretNotFound(f"{ref}: {where}{version or ' (latest version)'} is destroyed")
        if isinstance(meta, dict) and meta.get("deletion_time"):
            raise SecretNotFound(f"{ref}: {where}{version or ' (latest version)'} is deleted")
        raise SecretNotFound(
            f"{ref}: no secret{version} at {where} in Vault at {srv.shown}"
            f" (KV v2: GET /v1/{parsed.mount}/data/{parsed.path})"
            f"{_vault_http.errors_text(answer)}"
        )
    if status != 200:
        raise _vault_http.unexpected(ref, srv, status, answer)
    fields = data.get("data") if isinstance(data, dict) else None
    if not isinstance(fields, dict):
        raise SecretError(
            f"{ref}: Vault's answer for {where} has no data.data object (is {parsed.mount}"
            " a KV version 2 mount?)"
        )
    return SecretStr(_field(ref, where, fields, parsed.field), ref)


def _field(ref: str, where: str, fields: dict[str, Any], name: str) -> str:
    if name not in fields:
        raise SecretNotFound(f"{ref}: the secret at {where} has no field {name!r}")
    value = fields[name]
    if not isinstance(value, str):
        raise SecretError(
            f"{ref}: field {name!r} of {where} is a JSON {_json_type(value)}, not a string"
        )
    if not value.strip():
        raise SecretNotFound(f"{ref}: field {name!r} of {where} is empty")
    return value.strip()


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "array" if isinstance(value, list) else "object"
