"""etcd with TLS (client certificates) and with password auth, configured as etcdctl is.

Two real etcd members on loopback: one serving only https with ``--client-cert-auth``
(certificates made here by the ``cryptography`` package), one with auth enabled (a root
user and password). regctl reads ``ETCDCTL_CACERT``/``ETCDCTL_CERT``/``ETCDCTL_KEY`` and
``ETCDCTL_USER``; nothing of it is in the registry. The targets are given with
``--target`` (the operator), so the credential policy lets the password through.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import require_binary
from tests.fleet import Server, free_ports

from regctl.client import Registry

PASSWORD = "etcd-Root-pw-7731"


def _certs(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate (CN regctl)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    folder.mkdir(parents=True, exist_ok=True)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(stem: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        (folder / f"{stem}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("regctl test CA"))
        .issuer_name(name("regctl test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    write("ca", ca_key, ca)
    # etcd's JSON gateway dials the member's gRPC port with the server certificate as
    # its client certificate, so that one needs both usages under --client-cert-auth.
    for stem, cn, usage in (
        ("server", "127.0.0.1", [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
        ("client", "regctl", [ExtendedKeyUsageOID.CLIENT_AUTH]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
        )
        if stem == "server":
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        write(stem, key, builder.sign(ca_key, hashes.SHA256()))
    return {
        n: folder / n for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")
    }


class _TlsServer(Server):
    """An etcd member whose health check needs the CA and a client certificate."""

    def __init__(self, *args: object, context: ssl.SSLContext) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.context = context

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2, context=self.context):
                return True
        except OSError:
            return False


def _etcd_argv(binary: str, data: Path, scheme: str, *extra: str) -> tuple[list[str], str]:
    client, peer = free_ports(2)
    url = f"{scheme}://127.0.0.1:{client}"
    argv = [
        binary, "--data-dir", str(data), "--name", "regctl-tls",
        "--listen-client-urls", url, "--advertise-client-urls", url,
        "--listen-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-cluster", f"regctl-tls=http://127.0.0.1:{peer}",
        "--log-level", "warn", *extra,
    ]  # fmt: skip
    return argv, url


def _regctl(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _compiled(registry: Path) -> str:
    from regctl.pipeline.compile import compile_registry

    return compile_registry(registry, env="dev").digest


def _example(tmp: Path) -> Path:
    from regctl.authoring.init import init_project

    init_project(tmp)
    return tmp / "registry"


def test_etcd_over_tls_with_client_certificates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certs = _certs(tmp_path / "pki")
    argv, url = _etcd_argv(
        require_binary("etcd"), tmp_path / "data", "https",
        "--cert-file", str(certs["server.pem"]), "--key-file", str(certs["server.key"]),
        "--client-cert-auth", "--trusted-ca-file", str(certs["ca.pem"]),
    )  # fmt: skip
    ctx = ssl.create_default_context(cafile=str(certs["ca.pem"]))
    ctx.load_cert_chain(str(certs["client.pem"]), str(certs["client.key"]))
    server = _TlsServer(argv, url, "/health", tmp_path / "etcd.log", context=ctx)
    server.start()
    try:
        registry = _example(tmp_path / "proj")
        target = f"etcds://{url.split('://', 1)[1]}/regctl/tls/dev"
        env = dict(os.environ, ETCDCTL_CACERT=str(certs["ca.pem"]))
        # Without a client certificate the member refuses the connection: a clear error.
        refused = _regctl("apply", str(registry), "--env", "dev", "--target", target,
                          "--auto-approve", env=env, cwd=tmp_path)  # fmt: skip
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert "cannot" in refused.stderr and target in refused.stderr, refused.stderr

        env.update(ETCDCTL_CERT=str(certs["client.pem"]), ETCDCTL_KEY=str(certs["client.key"]))
        done = _regctl("apply", str(registry), "--env", "dev", "--target", target,
                       "--auto-approve", env=env, cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        plan = _regctl("plan", str(registry), "--env", "dev", "--target", target,
                       "--detailed-exitcode", env=env, cwd=tmp_path)  # fmt: skip
        assert plan.returncode == 0, plan.stdout + plan.stderr  # deployed == compiled

        for k in ("ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY"):
            monkeypatch.setenv(k, env[k])
        assert Registry.load(target, cache=False).digest == _compiled(registry)
    finally:
        server.stop()


def _gateway(url: str, path: str, body: dict[str, str], token: str = "") -> dict[str, object]:
    req = urllib.request.Request(
        url + "/v3" + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def test_etcd_with_password_auth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    argv, url = _etcd_argv(require_binary("etcd"), tmp_path / "data", "http")
    server = Server(argv, url, "/health", tmp_path / "etcd.log")
    server.start()
    try:
        _gateway(url, "/auth/user/add", {"name": "root", "password": PASSWORD})
        _gateway(url, "/auth/user/grant", {"user": "root", "role": "root"})
        _gateway(url, "/auth/enable", {})
        registry = _example(tmp_path / "proj")
        target = f"etcd://{url.split('://', 1)[1]}/regctl/auth/dev"
        args = ("apply", str(registry), "--env", "dev", "--target", target, "--auto-approve")

        anonymous = _regctl(*args, env=dict(os.environ), cwd=tmp_path)
        assert anonymous.returncode == 1 and "Traceback" not in anonymous.stderr
        wrong = _regctl(*args, env=dict(os.environ, ETCDCTL_USER="root:not-the-password"),
                        cwd=tmp_path)  # fmt: skip
        assert wrong.returncode == 1 and "Traceback" not in wrong.stderr, wrong.stderr
        assert "not-the-password" not in wrong.stdout + wrong.stderr

        good = _regctl(*args, env=dict(os.environ, ETCDCTL_USER=f"root:{PASSWORD}"), cwd=tmp_path)
        assert good.returncode == 0, good.stderr
        assert PASSWORD not in good.stdout + good.stderr

        # The deployed manifest is readable with the same credentials, and only with them.
        token = str(
            _gateway(url, "/auth/authenticate", {"name": "root", "password": PASSWORD})["token"]
        )
        got = _gateway(
            url, "/kv/range", {"key": "L3JlZ2N0bC9hdXRoL2Rldg=="}, token
        )  # /regctl/auth/dev
        assert got.get("kvs"), got
        monkeypatch.setenv("ETCDCTL_USER", f"root:{PASSWORD}")
        assert Registry.load(target, cache=False).digest == _compiled(registry)
    finally:
        server.stop()
