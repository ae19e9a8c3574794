"""The Vault token a read is sent with, from the first source that is set.

1. ``$VAULT_TOKEN`` (what ``vault login`` / ``bao login`` users and CI jobs have);
2. AppRole: ``$VAULT_ROLE_ID`` and ``$VAULT_SECRET_ID`` (``POST auth/approle/login``);
3. Kubernetes: ``$VAULT_K8S_ROLE`` and the pod's service-account token
   (``$VAULT_K8S_TOKEN_PATH``, default
   ``/var/run/secrets/kubernetes.io/serviceaccount/token``, read again at each login:
   projected tokens rotate) (``POST auth/kubernetes/login``);
4. ``~/.vault-token``, the file the Vault CLI's token helper writes.

``$VAULT_AUTH_MOUNT`` names the auth mount when it is not the method's default path
(``approle``, ``kubernetes``). A login token is kept in memory (never written) until
80 % of its lease has passed, and dropped at once when Vault refuses it, so the next
read logs in again. Only the login's own lock is held while logging in.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from dataclasses import dataclass

from regctl.client import _vault_http
from regctl.client.errors import SecretAccessDenied, SecretConfigError
from regctl.io import safeio

K8S_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"
_MAX_FILE = 64 * 1024  # a token or a service-account JWT is a few KiB


@dataclass(frozen=True)
class Token:
    """A token and where it came from (``source`` is shown in errors; the value never)."""

    value: str
    source: str
    login: tuple[str, ...] | None = None  # the cache key of a login token, else None


_logins: dict[tuple[str, ...], tuple[float, str]] = {}
_login_locks: dict[tuple[str, ...], threading.Lock] = {}
_lock = threading.Lock()


def token(ref: str, srv: _vault_http.Server, deadline: float) -> Token:
    """The token to read with (logging in when the environment asks for a login)."""
    given = os.environ.get("VAULT_TOKEN", "").strip()
    if given:
        return Token(_checked(ref, given, "VAULT_TOKEN"), "VAULT_TOKEN")
    role_id = os.environ.get("VAULT_ROLE_ID", "").strip()
    if role_id:
        secret_id = os.environ.get("VAULT_SECRET_ID", "").strip()
        mount = _mount(ref, "approle")
        key = (srv.addr, srv.namespace, "approle", mount, role_id)
        body = {"role_id": role_id} | ({"secret_id": secret_id} if secret_id else {})
        return _login(ref, srv, deadline, key, "AppRole login", body, (role_id, secret_id))
    role = os.environ.get("VAULT_K8S_ROLE", "").strip()
    if role:
        mount = _mount(ref, "kubernetes")
        key = (srv.addr, srv.namespace, "kubernetes", mount, role)
        path = os.environ.get("VAULT_K8S_TOKEN_PATH", "").strip() or K8S_TOKEN_PATH
        return _login(ref, srv, deadline, key, "Kubernetes login", {"role": role}, (), path)
    path = os.path.expanduser("~/.vault-token")
    if os.path.exists(path):
        value = _read(ref, path, "~/.vault-token")
        return Token(_checked(ref, value, "~/.vault-token"), "~/.vault-token")
    raise SecretConfigError(
        f"{ref}: no Vault token: set VAULT_TOKEN, VAULT_ROLE_ID/VAULT_SECRET_ID (AppRole)"
        " or VAULT_K8S_ROLE (Kubernetes)"
    )


def forget(tok: Token) -> None:
    """Drop a login token Vault refused (expired, revoked): the next read logs in again."""
    if tok.login is not None:
        with _lock:
            cached = _logins.get(tok.login)
            if cached is not None and cached[1] == tok.value:
                del _logins[tok.login]


def clear() -> None:
    """Forget every login token."""
    with _lock:
        _logins.clear()


def _mount(ref: str, default: str) -> str:
    mount = os.environ.get("VAULT_AUTH_MOUNT", "").strip().strip("/") or default
    if any(part in ("", ".", "..") for part in mount.split("/")) or not mount.isprintable():
        raise SecretConfigError(f"{ref}: VAULT_AUTH_MOUNT is not a mount path")
    return mount


def _checked(ref: str, value: str, source: str) -> str:
    # A token goes into a header: a control character there would end it early.
    if not value.isascii() or not value.isprintable() or " " in value:
        raise SecretConfigError(f"{ref}: the Vault token from {source} holds invalid characters")
    return value


def _read(ref: str, path: str, shown: str) -> str:
    try:
        return safeio.read_text(path, _MAX_FILE).strip()
    except safeio.SafeReadError as exc:
        why = str(exc).removeprefix("cannot read: ")
        raise SecretConfigError(f"{ref}: cannot read {shown} ({why})") from None


def _login(
    ref: str,
    srv: _vault_http.Server,
    deadline: float,
    key: tuple[str, ...],
    method: str,
    body: dict[str, str],
    hide: tuple[str, ...],
    jwt_path: str | None = None,
) -> Token:
    with _lock:
        login_lock = _login_locks.setdefault(key, threading.Lock())
    with login_lock:  # one login at a time per identity; the others use its token
        with _lock:
            cached = _logins.get(key)
        if cached is not None and time.monotonic() < cached[0]:
            return Token(cached[1], method, key)
        if jwt_path is not None:
            jwt = _read(ref, jwt_path, f"the service-account token {jwt_path}")
            body = body | {"jwt": jwt}
            hide = (*hide, jwt)
        mount = urllib.parse.quote(key[3], safe="/")
        status, answer = _vault_http.call(
            ref, srv, "POST", f"auth/{mount}/login", deadline, body=body, hide=hide
        )
        auth = answer.get("auth")
        value = auth.get("client_token") if isinstance(auth, dict) else None
        if status != 200 or not isinstance(value, str) or not value:
            words = _vault_http.errors_text(answer, hide)
            raise SecretAccessDenied(
                f"{ref}: {method} to Vault at {srv.shown} failed (HTTP {status}{words})"
            )
        lease = auth.get("lease_duration") if isinstance(auth, dict) else 0
        lasts = float(lease) * 0.8 if isinstance(lease, int) and lease > 0 else float("inf")
        with _lock:
            _logins[key] = (time.monotonic() + lasts, value)
        return Token(_checked(ref, value, method), method, key)
