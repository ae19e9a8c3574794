"""``vault:`` with Kubernetes auth: OpenBao's real ``kubernetes`` auth method.

That method asks the cluster's API server whether a pod's service-account token is valid
(``POST /apis/authentication.k8s.io/v1/tokenreviews``). No cluster runs here, so a
loopback HTTP server answers those reviews: the cluster is the stand-in, while the client
(``VAULT_K8S_ROLE``, the token file) and OpenBao's method (its role bindings, the token it
issues) are the real parts. What a user checks: the pod reads its key; a projected token
that the kubelet rotated is read again at the next login; a token the cluster rejects is
a clear error that shows neither that token nor anything else secret.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.secret_stores import ROOT_TOKEN, Bao, openbao

from regctl.client import SecretAccessDenied, resolve_secret
from regctl.client.secrets import clear_cache

VALUE = "sk-k8s-VALUE-9f8e7d6c5b4a"
REVIEWER = "reviewer-JWT-of-vault-0001"


class Cluster:
    """The TokenReview API of a cluster: a token is valid while it is in :attr:`valid`."""

    def __init__(self) -> None:
        self.valid: set[str] = set()
        self.reviewed: list[str] = []
        cluster = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = body["spec"]["token"]
                cluster.reviewed.append(token)
                ok = (
                    self.path == "/apis/authentication.k8s.io/v1/tokenreviews"
                    and self.headers.get("Authorization") == f"Bearer {REVIEWER}"
                    and token in cluster.valid
                )
                user = {"username": "system:serviceaccount:prod:app", "uid": "uid-app"}
                review = {
                    "kind": "TokenReview",
                    "apiVersion": "authentication.k8s.io/v1",
                    "status": {"authenticated": ok, "user": user if ok else {}},
                }
                data = json.dumps(review).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _ca_pem() -> str:
    """A CA certificate for the method's config (required; the stand-in speaks plain HTTP)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cluster-ca")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _service_account_token(serial: int) -> str:
    """A service-account JWT as the kubelet projects it (the cluster vouches for it)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    claims = {
        "iss": "kubernetes/serviceaccount",
        "sub": "system:serviceaccount:prod:app",
        "kubernetes.io/serviceaccount/namespace": "prod",
        "kubernetes.io/serviceaccount/service-account.name": "app",
        "kubernetes.io/serviceaccount/service-account.uid": "uid-app",
        "serial": serial,
    }
    head = {"alg": "RS256", "typ": "JWT"}
    signature = f"signed by the cluster, {serial}".encode()  # the cluster checks it
    return f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}.{b64(signature)}"


@pytest.fixture
def k8s_bao(tmp_path: Path) -> Iterator[tuple[Bao, Cluster]]:
    cluster = Cluster()
    try:
        with openbao(tmp_path / "bao") as bao:
            bao.api("POST", "sys/auth/kubernetes", {"type": "kubernetes"})
            bao.api(
                "POST",
                "auth/kubernetes/config",
                {
                    "kubernetes_host": cluster.host,
                    "kubernetes_ca_cert": _ca_pem(),
                    "token_reviewer_jwt": REVIEWER,
                    "disable_local_ca_jwt": True,
                },
            )
            bao.policy("pod-read", 'path "secret/data/pods/*" { capabilities = ["read"] }')
            bao.api(
                "POST",
                "auth/kubernetes/role/app",
                {
                    "bound_service_account_names": ["app"],
                    "bound_service_account_namespaces": ["prod"],
                    "token_policies": ["pod-read"],
                    "token_ttl": "10m",
                },
            )
            bao.put("secret/pods/openai", {"api_key": VALUE})
            yield bao, cluster
    finally:
        cluster.close()


def test_pod_reads_its_key_with_the_kubernetes_auth_method(
    store_env: pytest.MonkeyPatch, k8s_bao: tuple[Bao, Cluster], tmp_path: Path
) -> None:
    bao, cluster = k8s_bao
    first, rotated = _service_account_token(1), _service_account_token(2)
    token_file = tmp_path / "serviceaccount" / "token"
    token_file.parent.mkdir()
    token_file.write_text(first)
    cluster.valid = {first}
    store_env.setenv("VAULT_ADDR", bao.addr)
    store_env.setenv("VAULT_K8S_ROLE", "app")
    store_env.setenv("VAULT_K8S_TOKEN_PATH", str(token_file))
    ref = "vault:secret/pods/openai#api_key"

    assert resolve_secret(ref).get_secret_value() == VALUE
    assert cluster.reviewed == [first]  # one login; Vault asked the cluster about our token

    # the kubelet rotates the projected token and the old one stops being valid; once
    # Vault's login token is gone too, the next login reads the file again
    token_file.write_text(rotated)
    cluster.valid = {rotated}
    bao.revoke_logins()
    assert resolve_secret(ref, refresh=True).get_secret_value() == VALUE
    assert cluster.reviewed == [first, rotated]

    # a token the cluster does not vouch for: refused, and nothing secret in the message
    cluster.valid = set()
    clear_cache()
    with pytest.raises(SecretAccessDenied) as caught:
        resolve_secret(ref, refresh=True)
    text = str(caught.value)
    assert text.startswith(f"{ref}: Kubernetes login to Vault at {bao.addr} failed (HTTP 403")
    for secret in (rotated, first, VALUE, ROOT_TOKEN, REVIEWER):
        assert secret not in text
