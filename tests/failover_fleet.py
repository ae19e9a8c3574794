"""Real parts for the failover and limits tests: a Redis server, a loopback upstream that
fails on cue (tests/flaky_upstream.py), and registries whose providers point at it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import require_binary
from tests.fleet import Server, free_ports

HERE = Path(__file__).resolve().parent


class RedisServer(Server):
    """``redis-server`` on a free loopback port, no persistence, ready when it PONGs."""

    def __init__(self, binary: str, workdir: Path) -> None:
        (port,) = free_ports(1)
        self.port = port
        workdir.mkdir(parents=True, exist_ok=True)
        argv = [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(workdir), "--protected-mode", "yes",
        ]  # fmt: skip
        super().__init__(argv, f"redis://127.0.0.1:{port}/0", "", workdir / "redis.log")

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
            s.recv(16)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(require_binary("redis-server"), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Upstream:
    """tests/flaky_upstream.py in its own process; ``base(name)`` is a provider's URL."""

    def __init__(self, workdir: Path) -> None:
        (self.port,) = free_ports(1)
        self.url = f"http://127.0.0.1:{self.port}"
        log = workdir / "upstream.log"
        with open(log, "ab") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "flaky_upstream.py"), str(self.port)],
                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self._get("/_ready")
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("flaky upstream did not start")

    def base(self, name: str) -> str:
        return f"{self.url}/{name}/v1"

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            return json.loads(resp.read())

    def _post(self, path: str, body: Any) -> Any:
        req = urllib.request.Request(
            self.url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    def cue(self, name: str, answers: list[Any]) -> None:
        self._post(f"/_cue/{name}", answers)

    def default(self, name: str, status: int) -> None:
        self._post(f"/_default/{name}", status)

    def hits(self) -> list[tuple[str, int]]:
        return [tuple(h) for h in self._get("/_hits")]  # type: ignore[misc]

    def reset(self) -> None:
        self._post("/_reset", {})

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    up = Upstream(tmp_path_factory.mktemp("upstream"))
    try:
        yield up
    finally:
        up.stop()


def chat(resolved: Any, timeout: float = 5.0) -> dict[str, Any]:
    """One chat completion over real HTTP, as an app's ``fn`` would make it; raises
    ``urllib.error.HTTPError`` (``.code``, ``.headers``) for a failure."""
    body = json.dumps({**resolved.call_kwargs(), "messages": [{"role": "user", "content": "hi"}]})
    req = urllib.request.Request(
        resolved.base_url + "/chat/completions",
        body.encode(),
        {"Content-Type": "application/json", "Authorization": "Bearer test-key"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def registry(
    root: Path,
    up: Upstream | None,
    names: tuple[str, ...] = ("primary", "backup", "spare"),
    *,
    policy: dict[str, Any] | None = None,
    budgets: list[dict[str, Any]] | None = None,
    rate_limits: dict[str, dict[str, int]] | None = None,
    model_limits: dict[str, dict[str, int]] | None = None,
    region: str | None = None,
) -> Path:
    """A registry of openai-compatible providers (the first the default, the others its
    fallbacks for chat), compiled; returns the lock's path."""
    from regctl.pipeline.compile import compile_registry, write_lock

    src = root / "registry"
    (src / "providers").mkdir(parents=True, exist_ok=True)
    reg: dict[str, Any] = {
        "apiVersion": "regctl/v1", "kind": "Registry", "name": "failover-test",
        "defaults": {"chat": names[0]}, "fallbacks": {"chat": list(names[1:])},
    }  # fmt: skip
    if policy:
        reg["policy"] = policy
    if budgets:
        reg["budgets"] = budgets
    (src / "registry.yaml").write_text(yaml.safe_dump(reg, sort_keys=False))
    for i, name in enumerate(names):
        prov: dict[str, Any] = {
            "apiVersion": "regctl/v1", "kind": "Provider", "id": name,
            "display_name": name.title(), "api": "openai-compatible",
            "base_url": up.base(name) if up else f"http://127.0.0.1:9/{name}/v1",
            "credentials": ["env:FAILOVER_TEST_KEY"],
            "models": [{
                "id": f"model-{i}", "display_name": f"Model {i}", "capabilities": ["chat"],
                "active": True,
                "pricing": {"input_per_mtok": 1.0, "output_per_mtok": 2.0},
            }],
        }  # fmt: skip
        if rate_limits and name in rate_limits:
            prov["rate_limits"] = rate_limits[name]
        if model_limits and name in model_limits:
            prov["models"][0]["rate_limits"] = model_limits[name]
        if region:
            prov["region"] = region
        (src / "providers" / f"{name}.yaml").write_text(yaml.safe_dump(prov, sort_keys=False))
    result = compile_registry(src)
    assert result.ok, [str(p) for p in result.problems]
    lock = root / "manifest.lock.json"
    write_lock(result, lock)
    return lock
