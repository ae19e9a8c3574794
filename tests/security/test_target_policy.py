"""Class 4: registry targets are policy; the token goes only where the operator says."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from regctl.deploy.targets.http import HttpTarget
from regctl.deploy.targets.policy import decide

TOKEN = "tok-9f8e7d6c5b4a"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records the Authorization header of every request; serves 404 (nothing deployed)."""

    seen: ClassVar[list[str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Authorization"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str | None]]]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/m.json", _Recorder.seen
    server.shutdown()
    server.server_close()


def test_policy_rules() -> None:
    env = {"REGCTL_TARGET_ALLOWED_HOSTS": "config.example.com, other.example.com:8443"}
    assert decide("https://config.example.com/x", env=env).allowed
    assert decide("https://other.example.com:8443/x", env=env).allowed
    assert not decide("https://other.example.com/x", env=env).allowed
    assert not decide("https://evil.example.net/x", env=env).allowed
    plain = decide("http://config.example.com/x", env=env)
    assert not plain.allowed and "https" in plain.reason
    assert decide("http://127.0.0.1:9/x", env={"REGCTL_TARGET_ALLOWED_HOSTS": "127.0.0.1"}).allowed
    assert decide(
        "https://cli.example.com/x", operator_urls=["https://cli.example.com/x"], env={}
    ).allowed
    assert not decide(
        "https://cli.example.com.evil.net/x", operator_urls=["https://cli.example.com/"], env={}
    ).allowed


def test_registry_target_does_not_get_the_token(
    recorder: tuple[str, list[str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = recorder
    monkeypatch.setenv("REGCTL_TARGET_TOKEN", TOKEN)
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS", raising=False)
    target = HttpTarget(url)  # as opened for a URL written in the registry
    assert not target.read().exists
    assert seen == [None]
    assert "not sent" in target.token_note and TOKEN not in target.token_note
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", "127.0.0.1")
    HttpTarget(url).read()
    assert seen[-1] == f"Bearer {TOKEN}"
    HttpTarget(url, operator_urls=[url]).read()
    monkeypatch.delenv("REGCTL_TARGET_ALLOWED_HOSTS")
    HttpTarget(url, operator_urls=[url]).read()
    assert seen[-2:] == [f"Bearer {TOKEN}"] * 2


def test_read_token_for_plan(
    recorder: tuple[str, list[str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = recorder
    monkeypatch.delenv("REGCTL_TARGET_TOKEN", raising=False)
    monkeypatch.setenv("REGCTL_TARGET_READ_TOKEN", "read-only")
    HttpTarget(url, operator_urls=[url]).read()
    assert seen == ["Bearer read-only"]


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("REGCTL_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plan_on_a_pull_request_sends_no_token_to_a_host_the_yaml_names(
    registry: Path, recorder: tuple[str, list[str | None]]
) -> None:
    url, seen = recorder
    reg = (registry / "registry.yaml").read_text()
    (registry / "registry.yaml").write_text(reg + f"targets:\n  prod: {url}\n")
    (registry / "prod.yaml").write_text("apiVersion: regctl/v1\nkind: Environment\nid: prod\n")
    proc = _cli(
        "plan",
        str(registry),
        "--env",
        "prod",
        cwd=registry.parent,
        env={"REGCTL_TARGET_TOKEN": TOKEN},
    )
    assert proc.returncode == 0, proc.stderr
    assert seen and all(h is None for h in seen)
    assert TOKEN not in proc.stdout + proc.stderr
    # With no token at all, plan still runs (anonymous reads).
    proc = _cli("plan", str(registry), "--env", "prod", cwd=registry.parent, env={})
    assert proc.returncode == 0, proc.stderr
    # The operator naming the same URL with --target lets the token go there.
    proc = _cli(
        "plan",
        str(registry),
        "--env",
        "prod",
        "--target",
        url,
        cwd=registry.parent,
        env={"REGCTL_TARGET_TOKEN": TOKEN},
    )
    assert proc.returncode == 0, proc.stderr
    assert seen[-1] == f"Bearer {TOKEN}"


def test_validate_rejects_file_targets_outside_and_devices(registry: Path) -> None:
    reg = (registry / "registry.yaml").read_text()
    (registry / "registry.yaml").write_text(
        reg + "targets:\n  prod: file:../../outside.json\n  dev: file:/dev/sda\n"
    )
    for env in ("prod", "dev"):
        (registry / f"{env}.yaml").write_text(
            f"apiVersion: regctl/v1\nkind: Environment\nid: {env}\n"
        )
    proc = _cli("validate", str(registry), cwd=registry.parent, env={})
    assert proc.returncode == 1
    assert proc.stdout.count("[target-location]") == 2
    shutil.rmtree(registry)
