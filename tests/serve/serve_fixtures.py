"""A real ``regctl serve`` process on a free loopback port, and manifests to feed it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from tests.conftest import EXAMPLE, run_cli

from regctl.base.canonical import dumps_pretty, seal
from regctl.io.fsutil import atomic_write

SECRET = "sk-live-DO-NOT-SERVE-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def compile_example(out: Path) -> dict[str, Any]:
    """The example registry compiled by the real compiler; returns the document."""
    done = run_cli("compile", str(EXAMPLE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    return dict(json.loads(out.read_text(encoding="utf-8")))


def variant(doc: dict[str, Any], chat_model: str) -> dict[str, Any]:
    """``doc`` with openai's active chat model switched, re-sealed the compiler's way."""
    body = json.loads(json.dumps(doc))
    old = body["active"]["openai"]["chat"]
    body["active"]["openai"]["chat"] = chat_model
    body["models"][old]["active"] = [c for c in body["models"][old]["active"] if c != "chat"]
    body["models"][chat_model]["active"] = sorted({*body["models"][chat_model]["active"], "chat"})
    return seal(body)


def write(path: Path, doc: dict[str, Any]) -> None:
    atomic_write(path, dumps_pretty(doc).encode("utf-8"))


def _limit_fds(n: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))


class Server:
    """``regctl serve`` in a subprocess; stderr (the JSON logs) goes to a file."""

    def __init__(
        self,
        manifest: str,
        tmp: Path,
        *,
        interval: float = 0.2,
        args: tuple[str, ...] = (),
        nofile: int | None = None,
        ready: bool = True,
        **env: str,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"serve-{self.port}.log"
        full_env = {**os.environ, "OPENAI_API_KEY": SECRET, **env}
        full_env.pop("REGCTL_DEBUG", None)
        self._log = open(self.log_path, "wb")  # noqa: SIM115  closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "regctl",
                "serve",
                "--manifest",
                manifest,
                "--port",
                str(self.port),
                "--interval",
                str(interval),
                *args,
            ],
            env=full_env,
            preexec_fn=None if nofile is None else lambda: _limit_fds(nofile),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.client = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {self.logs()}")
            time.sleep(0.05)
        if ready:  # the first manifest loads in the background: wait for it
            self.wait_for(lambda: self.client.get("/readyz").status_code == 200, timeout=20)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def wait_for(self, check: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met in {timeout}s; logs: {self.logs()}")
            time.sleep(0.05)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout=20)
        finally:
            self._log.close()
