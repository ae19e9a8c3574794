"""Hostile secret stores: a loopback server that answers `vault:` and `aws-sm:` reads badly.

Each row is what a broken or hostile store (or whatever sits at VAULT_ADDR / the endpoint)
could send: a body over the cap, one that never ends, not JSON, a field that is not a
string, error text that echoes the token with terminal escapes and bidi controls, a 5xx,
a redirect that would carry the token to another host, headers that never come. The
client must fail with one clean line naming the reference, within the deadline, and
never show the token, the credentials or a value.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tests.conftest import require_module

from regctl.client import (
    SecretAccessDenied,
    SecretError,
    SecretStoreUnavailable,
    resolve_secret,
)
from regctl.client.secrets import clear_cache

TOKEN = "hvs.HOSTILE-test-token-55aa66bb"
VALUE = "sk-HOSTILE-value-77cc88dd"
AWS_SECRET = "hostileSecretAccessKey/0123456789abcdefghij"
BIG = 2 * 1024 * 1024
NASTY = f"denied {TOKEN}\x1b[31m\n::error::owned \u202eevil\u202c \x00"
AWS_NASTY = NASTY.replace(TOKEN, AWS_SECRET)


class Peer:
    """A loopback HTTP server whose every answer is ``respond(handler)``; counts requests."""

    def __init__(self, respond: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.requests: list[dict[str, str]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                peer.requests.append({k.lower(): v for k, v in self.headers.items()})
                # the client may hang up (deadline, cap): that is what the row is about
                with contextlib.suppress(OSError):
                    respond(self)

            do_GET = do_POST = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _send(status: int, body: bytes, headers: dict[str, str] | None = None) -> Callable[..., None]:
    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return respond


def _endless(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Connection", "close")  # no length: the body ends when the socket does
    h.end_headers()
    chunk = b"x" * 65536
    for _ in range(1000):
        h.wfile.write(chunk)


def _no_headers(h: BaseHTTPRequestHandler) -> None:
    time.sleep(5)


def _json(status: int, doc: Any) -> Callable[..., None]:
    return _send(status, json.dumps(doc).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def peer_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[pytest.MonkeyPatch]:
    for name in list(os.environ):
        if name.startswith(("VAULT_", "AWS_", "REGCTL_SECRETS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("REGCTL_SECRETS_TIMEOUT", "2")
    clear_cache()
    yield monkeypatch
    clear_cache()


def _check(ref: str, kind: type[SecretError], expect: str, started: float) -> None:
    with pytest.raises(kind) as caught:
        resolve_secret(ref, refresh=True)
    text = str(caught.value)
    assert time.monotonic() - started < 4, "past the deadline"
    assert text.startswith(ref + ": ") and expect in text, text
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert "\u202e" not in text and "\u202c" not in text
    for secret in (TOKEN, VALUE, AWS_SECRET):
        assert secret not in text


VAULT_ROWS: list[tuple[str, Callable[..., None], type[SecretError], str]] = [
    ("body over the cap", _json(200, {"data": {"data": {"k": "x" * BIG}}}),
     SecretStoreUnavailable, "over the 1,048,576-byte limit"),
    ("body that never ends", _endless, SecretStoreUnavailable, "over the 1,048,576-byte limit"),
    ("headers never come", _no_headers, SecretStoreUnavailable, "did not answer within 2 s"),
    ("not JSON", _send(200, b"<html>" + VALUE.encode()), SecretStoreUnavailable,
     "not a JSON object"),
    ("a JSON array", _json(200, [VALUE]), SecretStoreUnavailable, "not a JSON object"),
    ("no data.data", _json(200, {"data": {"value": VALUE}}), SecretError, "no data.data object"),
    ("field is an object", _json(200, {"data": {"data": {"k": {"inner": VALUE}}}}), SecretError,
     "is a JSON object, not a string"),
    ("field is a number", _json(200, {"data": {"data": {"k": 12345}}}), SecretError,
     "is a JSON number, not a string"),
    ("403 echoing the token with escapes", _json(403, {"errors": [NASTY]}), SecretAccessDenied,
     "denied ****\\x1b[31m\\n::error::owned \\u202eevil"),
    ("500 with a long error", _json(500, {"errors": ["e" * 5000]}), SecretStoreUnavailable,
     "answered HTTP 500: eeee"),
    ("sealed", _json(503, {"errors": ["Vault is sealed"]}), SecretStoreUnavailable,
     "HTTP 503: Vault is sealed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("respond", "kind", "expect"),
    [row[1:] for row in VAULT_ROWS],
    ids=[row[0] for row in VAULT_ROWS],
)
def test_hostile_vault(
    peer_env: pytest.MonkeyPatch, respond: Any, kind: type[SecretError], expect: str
) -> None:
    peer = Peer(respond)
    try:
        peer_env.setenv("VAULT_ADDR", peer.url)
        peer_env.setenv("VAULT_TOKEN", TOKEN)
        _check("vault:secret/openai#k", kind, expect, time.monotonic())
    finally:
        peer.close()


def test_vault_redirect_is_not_followed_and_the_token_stays_home(
    peer_env: pytest.MonkeyPatch,
) -> None:
    elsewhere = Peer(_json(200, {"data": {"data": {"k": VALUE}}}))
    peer = Peer(_send(307, b"", {"Location": elsewhere.url + "/v1/secret/data/openai"}))
    try:
        peer_env.setenv("VAULT_ADDR", peer.url)
        peer_env.setenv("VAULT_TOKEN", TOKEN)
        _check(
            "vault:secret/openai#k", SecretStoreUnavailable, "redirect (HTTP 307)", time.monotonic()
        )
        assert peer.requests[0]["x-vault-token"] == TOKEN
        assert elsewhere.requests == []  # the token never left for the named host
    finally:
        peer.close()
        elsewhere.close()


def test_approle_login_answer_without_a_token(peer_env: pytest.MonkeyPatch) -> None:
    secret_id = "approle-SECRET-id-99ee"
    peer = Peer(_json(200, {"auth": None, "errors": [f"no {secret_id} \x1b[2J"]}))
    try:
        peer_env.setenv("VAULT_ADDR", peer.url)
        peer_env.setenv("VAULT_ROLE_ID", "role-1")
        peer_env.setenv("VAULT_SECRET_ID", secret_id)
        _check("vault:secret/openai#k", SecretAccessDenied, "AppRole login", time.monotonic())
        with pytest.raises(SecretAccessDenied) as caught:
            resolve_secret("vault:secret/openai#k", refresh=True)
        assert secret_id not in str(caught.value) and "\x1b" not in str(caught.value)
    finally:
        peer.close()


AWS_ROWS: list[tuple[str, Callable[..., None], type[SecretError], str]] = [
    ("body over the cap", _json(200, {"SecretString": "x" * BIG}), SecretStoreUnavailable,
     "over the 1,048,576-byte limit"),
    ("body that never ends", _endless, SecretStoreUnavailable, "over the 1,048,576-byte limit"),
    ("headers never come", _no_headers, SecretStoreUnavailable, "did not answer within 2 s"),
    ("not JSON", _send(200, VALUE.encode()), SecretStoreUnavailable, "not a JSON object"),
    ("no value", _json(200, {"SecretString": 5}), SecretError, "has no value"),
    ("error with escapes", _json(400, {"__type": "Boom\x1b[1m", "Message": AWS_NASTY}), SecretError,
     "Boom\\x1b[1m: denied"),
    ("redirect", _send(307, b"", {"Location": "http://127.0.0.1:9/"}), SecretError, "HTTP 307"),
    ("throttled", _json(400, {"__type": "ThrottlingException"}), SecretStoreUnavailable,
     "ThrottlingException"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("respond", "kind", "expect"),
    [row[1:] for row in AWS_ROWS],
    ids=[row[0] for row in AWS_ROWS],
)
def test_hostile_secrets_manager(
    peer_env: pytest.MonkeyPatch, respond: Any, kind: type[SecretError], expect: str
) -> None:
    require_module("botocore")
    peer = Peer(respond)
    try:
        peer_env.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", peer.url)
        peer_env.setenv("AWS_REGION", "us-east-1")
        peer_env.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTILETEST00001")
        peer_env.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
        peer_env.setenv("AWS_CONFIG_FILE", os.devnull)
        peer_env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        _check("aws-sm:prod/openai", kind, expect, time.monotonic())
        assert peer.requests[0]["x-amz-target"] == "secretsmanager.GetSecretValue"
        assert peer.requests[0]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    finally:
        peer.close()
