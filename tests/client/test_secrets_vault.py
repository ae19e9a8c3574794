"""``vault:`` references against a real OpenBao server (``bao server -dev`` on loopback).

What a user checks: the value of a field, a pinned version, a rotation picked up after
``refresh=True``, AppRole and Kubernetes-style logins, namespaces, TLS with VAULT_CACERT;
and when it goes wrong, one clear error naming the reference and the reason, never the
token, the secret id or the value.
"""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, write_manifest
from tests.fleet import free_ports
from tests.secret_stores import ROOT_TOKEN, Bao, Proxy, openbao

from regctl.client import (
    Registry,
    SecretAccessDenied,
    SecretConfigError,
    SecretError,
    SecretNotFound,
    SecretStoreUnavailable,
    resolve_secret,
)

VALUE = "sk-vault-VALUE-0c9d1e2f3a4b5c6d"


@pytest.fixture
def env(store_env: pytest.MonkeyPatch, bao: Bao) -> pytest.MonkeyPatch:
    store_env.setenv("VAULT_ADDR", bao.addr)
    store_env.setenv("VAULT_TOKEN", ROOT_TOKEN)
    return store_env


def _unique(name: str) -> str:
    return f"{name}-{time.monotonic_ns()}"


def _error(ref: str, kind: type[SecretError], *hidden: str) -> str:
    with pytest.raises(kind) as caught:
        resolve_secret(ref, refresh=True)
    text = str(caught.value)
    assert text.startswith(ref + ": ") and "\n" not in text
    for secret in (*hidden, VALUE, ROOT_TOKEN):
        assert secret not in text
    return text


def test_field_of_a_kv2_secret(env: Any, bao: Bao) -> None:
    path = _unique("openai")
    bao.put(f"secret/{path}", {"api_key": VALUE, "org": "acme"})
    key = resolve_secret(f"vault:secret/{path}#api_key")
    assert key.get_secret_value() == VALUE
    assert key.source == f"vault:secret/{path}#api_key"
    assert VALUE not in repr(key) + str(key) + f"{key}"
    assert resolve_secret(f"vault:secret/{path}#org").get_secret_value() == "acme"


def test_nested_path_and_pinned_versions(env: Any, bao: Bao) -> None:
    path = f"team/prod/{_unique('llm')}"
    for n in (1, 2, 3):
        assert bao.put(f"secret/{path}", {"k": f"value-{n}"}) == n
    ref = f"vault:secret/{path}#k"
    assert resolve_secret(ref).get_secret_value() == "value-3"
    assert resolve_secret(ref + "@1").get_secret_value() == "value-1"
    assert resolve_secret(ref + "@2").get_secret_value() == "value-2"
    assert "no secret version 9 at" in _error(ref + "@9", SecretNotFound)
    bao.api("POST", f"secret/delete/{path}", {"versions": [2]})
    assert "version 2 is deleted" in _error(ref + "@2", SecretNotFound)
    bao.api("PUT", f"secret/destroy/{path}", {"versions": [1]})
    assert "version 1 is destroyed" in _error(ref + "@1", SecretNotFound)
    assert resolve_secret(ref).get_secret_value() == "value-3"


def test_rotation_is_picked_up_after_refresh(env: Any, bao: Bao, tmp_path: Path) -> None:
    path = _unique("rotate")
    bao.put(f"secret/{path}", {"api_key": "old-key"})
    body = base_doc()
    body["providers"]["openai"]["credentials"] = [f"vault:secret/{path}#api_key"]
    chosen = Registry.load(write_manifest(tmp_path / "m.json", body)).resolve("chat")
    assert chosen.api_key().get_secret_value() == "old-key"
    bao.put(f"secret/{path}", {"api_key": "new-key"})  # rotated in Vault
    assert chosen.api_key().get_secret_value() == "old-key"  # cached for the TTL
    # the provider answered 401: the app asks again, from the store
    assert chosen.api_key(refresh=True).get_secret_value() == "new-key"
    assert chosen.api_key().get_secret_value() == "new-key"
    assert chosen.openai_kwargs(refresh=True)["api_key"] == "new-key"


def test_ttl_expiry_reads_again(env: Any, bao: Bao) -> None:
    env.setenv("REGCTL_SECRETS_TTL", "0.5")
    path = _unique("ttl")
    bao.put(f"secret/{path}", {"k": "one"})
    ref = f"vault:secret/{path}#k"
    assert resolve_secret(ref).get_secret_value() == "one"
    bao.put(f"secret/{path}", {"k": "two"})
    assert resolve_secret(ref).get_secret_value() == "one"
    time.sleep(0.7)
    assert resolve_secret(ref).get_secret_value() == "two"
    env.setenv("REGCTL_SECRETS_TTL", "0")  # no cache: every call reads
    bao.put(f"secret/{path}", {"k": "three"})
    assert resolve_secret(ref).get_secret_value() == "three"
    env.setenv("REGCTL_SECRETS_TTL", "soon")
    assert "REGCTL_SECRETS_TTL must be a number" in str(_error(ref, SecretConfigError))


def test_missing_path_field_and_mount(env: Any, bao: Bao) -> None:
    path = _unique("missing")
    bao.put(f"secret/{path}", {"api_key": VALUE})
    text = _error(f"vault:secret/{path}-nope#api_key", SecretNotFound)
    assert f"no secret at secret/{path}-nope in Vault at {bao.addr}" in text
    text = _error(f"vault:secret/{path}#apikey", SecretNotFound)
    assert f"the secret at secret/{path} has no field 'apikey'" in text
    _error(f"vault:nomount/{path}#api_key", SecretNotFound)


def test_wrong_token_is_a_clear_error_without_token_or_value(env: Any, bao: Bao) -> None:
    path = _unique("denied")
    bao.put(f"secret/{path}", {"api_key": VALUE})
    wrong = "hvs.WRONG-token-1234567890"
    env.setenv("VAULT_TOKEN", wrong)
    text = _error(f"vault:secret/{path}#api_key", SecretAccessDenied, wrong)
    assert f"Vault at {bao.addr} denied the read with the token from VAULT_TOKEN" in text
    assert "HTTP 403: permission denied" in text


def test_no_token_anywhere(env: Any) -> None:
    env.delenv("VAULT_TOKEN")
    text = _error("vault:secret/x#k", SecretConfigError)
    assert "no Vault token: set VAULT_TOKEN, VAULT_ROLE_ID/VAULT_SECRET_ID" in text


def test_vault_cli_token_file_is_used(env: Any, bao: Bao, tmp_path: Path) -> None:
    env.delenv("VAULT_TOKEN")
    (Path(tmp_path / "home") / ".vault-token").write_text(ROOT_TOKEN + "\n")
    path = _unique("cli")
    bao.put(f"secret/{path}", {"k": VALUE})
    assert resolve_secret(f"vault:secret/{path}#k").get_secret_value() == VALUE


def test_server_down(env: Any) -> None:
    (port,) = free_ports(1)
    env.setenv("VAULT_ADDR", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    text = _error("vault:secret/openai#api_key", SecretStoreUnavailable)
    assert f"cannot reach Vault at http://127.0.0.1:{port} (connection refused)" in text
    assert time.monotonic() - started < 5


def test_trickling_server_hits_the_deadline(env: Any, bao: Bao) -> None:
    path = _unique("slow")
    bao.put(f"secret/{path}", {"api_key": VALUE})
    proxy = Proxy(bao.port, trickle=0.2)  # about 5 bytes a second: each read is "alive"
    try:
        env.setenv("VAULT_ADDR", proxy.addr)
        env.setenv("REGCTL_SECRETS_TIMEOUT", "1.5")
        started = time.monotonic()
        text = _error(f"vault:secret/{path}#api_key", SecretStoreUnavailable)
        took = time.monotonic() - started
    finally:
        proxy.close()
    assert f"Vault at {proxy.addr} did not answer within 1.5 s" in text
    assert 1.4 < took < 4, took


def test_approle_login_and_relogin(env: Any, bao: Bao) -> None:
    path = _unique("approle")
    bao.put(f"secret/app/{path}", {"api_key": VALUE})
    bao.policy("app-read", 'path "secret/data/app/*" { capabilities = ["read"] }')
    role_id, secret_id = bao.approle("app", "app-read", token_ttl="10m")
    proxy = Proxy(bao.port)  # counts connections: one per request
    try:
        env.delenv("VAULT_TOKEN")
        env.setenv("VAULT_ADDR", proxy.addr)
        env.setenv("VAULT_ROLE_ID", role_id)
        env.setenv("VAULT_SECRET_ID", secret_id)
        ref = f"vault:secret/app/{path}#api_key"
        assert resolve_secret(ref).get_secret_value() == VALUE
        assert proxy.connections == 2  # the login, then the read
        assert resolve_secret(ref, refresh=True).get_secret_value() == VALUE
        assert proxy.connections == 3  # the login token was kept
        bao.revoke_logins()  # the token's lease ends under the client
        assert resolve_secret(ref, refresh=True).get_secret_value() == VALUE
        assert proxy.connections == 6  # refused (403), logged in again, read
        # the policy covers app/* only
        bao.put("secret/other", {"api_key": VALUE})
        text = _error("vault:secret/other#api_key", SecretAccessDenied, secret_id)
        assert "denied the read with the token from AppRole login" in text
    finally:
        proxy.close()


def test_approle_bad_secret_id(env: Any, bao: Bao) -> None:
    bao.policy("app-read", 'path "secret/data/app/*" { capabilities = ["read"] }')
    role_id, _ = bao.approle("app2", "app-read")
    bad = "0d5c8a4e-1111-2222-3333-444455556666"
    env.delenv("VAULT_TOKEN")
    env.setenv("VAULT_ROLE_ID", role_id)
    env.setenv("VAULT_SECRET_ID", bad)
    text = _error("vault:secret/app/x#api_key", SecretAccessDenied, bad)
    assert f"AppRole login to Vault at {bao.addr} failed (HTTP 400" in text


def test_kubernetes_style_login_with_a_service_account_token(
    env: Any, bao: Bao, tmp_path: Path
) -> None:
    """``VAULT_K8S_ROLE``: POST auth/kubernetes/login {role, jwt} with the pod's token file.

    No Kubernetes API server runs here, so the mount at ``kubernetes/`` is OpenBao's JWT
    method, which takes the same login request and checks the token's signature against
    a key given to it; what is under test is what the client sends and how it uses the
    answer (``VAULT_AUTH_MOUNT`` would name another mount).
    """
    key, public_pem = _rsa_key()
    with contextlib.suppress(urllib.error.HTTPError):  # enabled by an earlier run
        bao.api("POST", "sys/auth/kubernetes", {"type": "jwt"})
    bao.api("POST", "auth/kubernetes/config", {"jwt_validation_pubkeys": [public_pem]})
    bao.policy("k8s-read", 'path "secret/data/k8s/*" { capabilities = ["read"] }')
    bao.api(
        "POST",
        "auth/kubernetes/role/app",
        {
            "role_type": "jwt",
            "bound_audiences": ["vault"],
            "user_claim": "sub",
            "token_policies": ["k8s-read"],
        },
    )
    claims = {"sub": "system:serviceaccount:prod:app", "aud": "vault"}
    jwt = _sign_jwt(key, claims)
    token_file = tmp_path / "token"
    token_file.write_text(jwt)
    path = _unique("pod")
    bao.put(f"secret/k8s/{path}", {"api_key": VALUE})
    env.delenv("VAULT_TOKEN")
    env.setenv("VAULT_K8S_ROLE", "app")
    env.setenv("VAULT_K8S_TOKEN_PATH", str(token_file))
    assert resolve_secret(f"vault:secret/k8s/{path}#api_key").get_secret_value() == VALUE
    other_key, _ = _rsa_key()
    forged = _sign_jwt(other_key, claims)
    token_file.write_text(forged)
    from regctl.client.secrets import clear_cache

    clear_cache()
    text = _error(f"vault:secret/k8s/{path}#api_key", SecretAccessDenied, forged)
    assert "Kubernetes login to Vault" in text
    env.setenv("VAULT_K8S_TOKEN_PATH", str(tmp_path / "absent"))
    clear_cache()
    text = _error(f"vault:secret/k8s/{path}#api_key", SecretConfigError)
    assert "cannot read the service-account token" in text


def _rsa_key() -> tuple[Any, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public.decode()


def _sign_jwt(key: Any, claims: dict[str, Any]) -> str:
    """An RS256 JWT, as the kubelet projects into a pod (signed here with ``key``)."""
    import base64
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"iat": now, "nbf": now - 5, "exp": now + 600, **claims}).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64(signature)}"


def test_namespace(env: Any, bao: Bao) -> None:
    with contextlib.suppress(urllib.error.HTTPError):  # made by an earlier run
        bao.api("POST", "sys/namespaces/team", {})
        bao.api("POST", "sys/mounts/secret", {"type": "kv", "options": {"version": "2"}}, "team")
    path = _unique("ns")
    bao.put(f"secret/{path}", {"k": "in-team"}, namespace="team")
    _error(f"vault:secret/{path}#k", SecretNotFound)
    env.setenv("VAULT_NAMESPACE", "team")
    assert resolve_secret(f"vault:secret/{path}#k").get_secret_value() == "in-team"


def test_tls_with_vault_cacert(store_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with openbao(tmp_path / "tls-bao", tls=True) as tls_bao:
        assert tls_bao.addr.startswith("https://")
        tls_bao.put("secret/openai", {"api_key": VALUE})
        store_env.setenv("VAULT_ADDR", tls_bao.addr)
        store_env.setenv("VAULT_TOKEN", ROOT_TOKEN)
        # the dev CA is not one the system trusts: refused, and the fix is named
        text = _error("vault:secret/openai#api_key", SecretStoreUnavailable)
        assert "SSLCertVerificationError" in text and "VAULT_CACERT" in text
        store_env.setenv("VAULT_CACERT", str(tls_bao.cacert))
        assert resolve_secret("vault:secret/openai#api_key").get_secret_value() == VALUE
        store_env.setenv("VAULT_CACERT", str(tmp_path / "no-such-ca.pem"))
        _error("vault:secret/openai#api_key", SecretConfigError)


@pytest.mark.parametrize(
    "addr", ["ftp://127.0.0.1:8200", "http://user:pw@127.0.0.1:8200", "127.0.0.1:8200", "http://"]
)
def test_bad_vault_addr(env: Any, addr: str) -> None:
    env.setenv("VAULT_ADDR", addr)
    text = _error("vault:secret/x#k", SecretConfigError, "pw@")
    assert "VAULT_ADDR must be http(s)://HOST[:PORT]" in text


def test_threads_share_one_read_and_one_refresh(env: Any, bao: Bao) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = _unique("threads")
    bao.put(f"secret/{path}", {"api_key": VALUE})
    ref = f"vault:secret/{path}#api_key"
    proxy = Proxy(bao.port)
    env.setenv("VAULT_ADDR", proxy.addr)
    barrier = threading.Barrier(16)

    def call(refresh: bool) -> str:
        barrier.wait()
        return resolve_secret(ref, refresh=refresh).get_secret_value()

    try:
        with ThreadPoolExecutor(16) as pool:
            assert list(pool.map(call, [False] * 16)) == [VALUE] * 16
            assert proxy.connections == 1  # sixteen callers, one read
            bao.put(f"secret/{path}", {"api_key": "rotated"})
            # every thread saw a 401 at once: the store is asked once or twice, not 16 times
            assert list(pool.map(call, [True] * 16)) == ["rotated"] * 16
            assert 2 <= proxy.connections <= 3
    finally:
        proxy.close()
