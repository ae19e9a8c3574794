"""A real nginx (Debian ``nginx-light``) on a free loopback port, serving a directory.

Started by tests and benchmarks with a generated configuration in a scratch prefix
(its own pid, logs and temp paths; nothing under /etc or /var is used).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(root: Path, prefix: Path, port: int, *, workers: int = 1, access_log: bool) -> str:
    """An nginx.conf serving ``root`` read-only on 127.0.0.1:``port``, JSON for ``.json``."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read pytest's 0700 dirs
    temp = "".join(
        f"    {name}_temp_path {prefix}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    log = f"access_log {prefix}/access.log;" if access_log else "access_log off;"
    return f"""{user}worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
{temp}    types {{ application/json json; }}
    default_type application/octet-stream;
    {log}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


class Nginx:
    """``nginx -c <generated> -g ...`` in the foreground; :meth:`stop` ends it."""

    def __init__(
        self, root: Path, scratch: Path, *, workers: int = 1, access_log: bool = True
    ) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prefix = scratch / f"nginx-{self.port}"
        prefix.mkdir(parents=True)
        conf = prefix / "nginx.conf"
        conf.write_text(
            config(root.resolve(), prefix, self.port, workers=workers, access_log=access_log)
        )
        self.proc = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise AssertionError(f"nginx did not start: {err}")
            time.sleep(0.05)

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
