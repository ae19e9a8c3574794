"""S3 and etcd targets named in the registry get no credentials unless the operator allows.

The recorder is a loopback HTTP server standing in for a host a pull request could
name (``?endpoint=`` of an s3:// target, the host of an etcd:// target): it records what
arrives. The operator allows a host with REGCTL_TARGET_ALLOWED_HOSTS or --target.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from regctl.base.errors import RegctlError
from regctl.deploy.targets import open_target

PASSWORD = "hunter2-etcd-Zq81"
AWS_KEY_ID = "AKIAREGCTLTESTKEY01"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str | None, bytes]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _record(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        type(self).seen.append((self.command, self.path, self.headers.get("Authorization"), body))

    def do_GET(self) -> None:
        self._record()
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # etcd's JSON gateway
        self._record()
        answer = {"token": "tok"} if self.path.endswith("/auth/authenticate") else {"kvs": []}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, str | None, bytes]]]]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


def test_etcd_password_goes_only_to_an_allowed_host(
    recorder: tuple[str, list[tuple[str, str, str | None, bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, seen = recorder
    monkeypatch.setenv("ETCDCTL_USER", f"root:{PASSWORD}")
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    uri = f"etcd://{host}/regctl/prod"
    target = open_target(uri, base_dir=Path("."))  # from the registry
    assert not target.read().exists
    assert seen and all(not p.endswith("/auth/authenticate") for _, p, _, _ in seen)
    assert all(PASSWORD.encode() not in body for *_, body in seen)

    seen.clear()
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", host)
    open_target(uri, base_dir=Path(".")).read()
    assert any(p.endswith("/auth/authenticate") for _, p, _, _ in seen)  # the test can fail

    seen.clear()
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS")
    open_target(uri, base_dir=Path("."), operator=True).read()  # --target
    assert any(p.endswith("/auth/authenticate") for _, p, _, _ in seen)


def test_s3_endpoint_from_the_registry_gets_no_signature(
    recorder: tuple[str, list[tuple[str, str, str | None, bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.conftest import require_module

    require_module("boto3")
    host, seen = recorder
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-Regctl-Test-Key-0123456789abcd")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    uri = f"s3://bucket/prod.json?endpoint=http://{host}"
    target = open_target(uri, base_dir=Path("."))
    with pytest.raises(RegctlError) as err:
        target.read()
    assert "credentials were not sent" in str(err.value)
    assert seen and all(auth is None for _, _, auth, _ in seen), seen

    seen.clear()
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", host)
    with pytest.raises(RegctlError):
        open_target(uri, base_dir=Path(".")).read()
    assert seen and all(auth and AWS_KEY_ID in auth for _, _, auth, _ in seen), seen
