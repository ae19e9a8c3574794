"""`regctl serve`'s request limits as options, and the report's own lock-out scenario.

The generic attacks (200 MB head, 2 GiB body, slowloris, silence, thousands of
half-sent requests, a client that never reads) are the hostile-client family of
tests/hostile (clients.py), run against every server regctl has; this module holds
what is particular to serve's options. Real uvicorn processes, raw sockets.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from pathlib import Path
from typing import Any

import httpx
from tests.cpuwait import CpuWait
from tests.serve.serve_fixtures import Server

ACTIVE = "/v1/providers/openai/active?capability=chat"


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def _connect(server: Server, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def _read_all(sock: socket.socket) -> bytes:
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return out


def _refused(server: Server, reason: str) -> int:
    for line in server.get("/metrics").text.splitlines():
        if line.startswith(f'regctl_http_refused_total{{reason="{reason}"}} '):
            return int(line.split()[1])
    return 0


def _well_behaved_client_is_answered(server: Server) -> None:
    """Answered within 5 s, plus what the server and this process waited for a CPU
    meanwhile (tests/cpuwait.py: a busy shared machine's share, not the server's)."""
    with CpuWait(server.proc.pid) as waited, httpx.Client(base_url=server.url, timeout=60) as fresh:
        started = time.monotonic()
        r = fresh.get(ACTIVE)
        took = time.monotonic() - started
    assert r.status_code == 200 and r.json()["model"]["key"] == "openai/gpt-4o"
    assert took < 5 + waited.seconds, (took, waited.seconds)


def test_a_head_just_over_the_limit_gets_431_and_one_under_it_is_served(server: Server) -> None:
    for size, status in ((70 * 1024, b"431"), (60 * 1024, b"200")):
        sock = _connect(server)
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * size + b"\r\n"
        sock.sendall(head + b"Connection: close\r\n\r\n")
        answer = _read_all(sock)
        sock.close()
        assert answer.split(b" ")[1] == status, answer[:200]


def test_custom_head_limit_from_the_command_line(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    srv = Server(str(manifest[0]), tmp_path, args=("--max-head-size", "2048"))
    try:
        r = srv.get("/healthz", headers={"X-Pad": "p" * 4000})
        assert r.status_code == 431
        assert srv.get("/healthz", headers={"X-Pad": "p" * 1000}).status_code == 200
    finally:
        assert srv.stop() == 0


def test_idle_keep_alive_connections_close_after_the_keep_alive_timeout(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    srv = Server(str(manifest[0]), tmp_path, args=("--keep-alive-timeout", "1"))
    try:
        sock = _connect(srv)
        sock.sendall(f"GET {ACTIVE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        with CpuWait(srv.proc.pid) as waited:
            started = time.monotonic()
            assert _read_all(sock) == b""
            took = time.monotonic() - started
        assert 0.5 < took < 3 + waited.seconds, (took, waited.seconds)
        sock.close()
    finally:
        assert srv.stop() == 0


def _half_sent(server: Server, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", server.port))
        socks.append(s)
    time.sleep(0.5)
    for s in socks:
        with contextlib.suppress(OSError):
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
    return socks


def test_thousands_of_half_sent_requests_do_not_lock_other_clients_out(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    # The report: 1,100 half-sent requests at a 1024-descriptor limit locked every
    # client out for 75 s. A long head timeout, so only the connection cap can help.
    srv = Server(str(manifest[0]), tmp_path, nofile=1024, args=("--head-timeout", "120"))
    attackers: list[socket.socket] = []
    try:
        for wave in (1100, 2000):
            attackers += _half_sent(srv, wave)
            for _ in range(3):
                _well_behaved_client_is_answered(srv)
        assert _refused(srv, "evicted") >= 3100 - 1024
        assert "connection cap lowered by the descriptor limit" in srv.logs()
    finally:
        for s in attackers:
            s.close()
        assert srv.stop() == 0
