"""A hostile HTTP client of `regctl serve`: huge heads, slow heads, thousands of connections.

Real uvicorn processes on loopback, driven by raw sockets (the attacks need byte-level
control no HTTP client library gives). Each attack is followed by a well-behaved
client, which must be answered.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from pathlib import Path
from typing import Any

import httpx
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
    with httpx.Client(base_url=server.url, timeout=5) as fresh:
        r = fresh.get(ACTIVE)
    assert r.status_code == 200 and r.json()["model"]["key"] == "openai/gpt-4o"


def test_a_200_mb_header_is_refused_early_and_costs_little_memory(server: Server) -> None:
    before = _rss_kib(server.proc.pid)
    sock = _connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
    chunk = b"a" * (1 << 20)
    sent = 0
    started = time.monotonic()
    try:
        while sent < 200 * (1 << 20):
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = _read_all(sock)
    sock.close()
    # Refused after the limit (64 KiB) plus what loopback socket buffers absorb.
    assert sent < 32 * (1 << 20), f"server read {sent} bytes of a header"
    assert time.monotonic() - started < 10
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    assert _rss_kib(server.proc.pid) - before < 30 * 1024
    assert _refused(server, "head_too_large") == 1
    _well_behaved_client_is_answered(server)


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


def test_a_slowloris_head_is_cut_at_the_head_timeout(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    srv = Server(str(manifest[0]), tmp_path, args=("--head-timeout", "1"))
    try:
        sock = _connect(srv)
        sock.settimeout(0.2)
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        answer = b""
        with_bytes = True
        while time.monotonic() - started < 10:
            try:
                sock.sendall(b"X-Trickle: 1\r\n")  # a new header line every 0.2 s
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                got = sock.recv(4096)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            answer += got
            if not got:
                break
        took = time.monotonic() - started
        sock.close()
        assert took < 3, f"a trickling head kept its connection {took:.1f} s"
        assert with_bytes and (answer == b"" or answer.startswith(b"HTTP/1.1 408 "))
        # A connection that sends nothing at all is closed too.
        idle = _connect(srv)
        started = time.monotonic()
        assert _read_all(idle) == b""
        assert time.monotonic() - started < 3
        idle.close()
        assert _refused(srv, "head_timeout") == 2
        _well_behaved_client_is_answered(srv)
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
        started = time.monotonic()
        assert _read_all(sock) == b""
        assert 0.5 < time.monotonic() - started < 3
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
                started = time.monotonic()
                _well_behaved_client_is_answered(srv)
                assert time.monotonic() - started < 5
        assert _refused(srv, "evicted") >= 3100 - 1024
        assert "connection cap lowered by the descriptor limit" in srv.logs()
    finally:
        for s in attackers:
            s.close()
        assert srv.stop() == 0


def test_pipelined_requests_from_a_client_that_never_reads_cost_bounded_memory(
    server: Server,
) -> None:
    before = _rss_kib(server.proc.pid)
    sock = _connect(server)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    one = f"GET {ACTIVE} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    sock.settimeout(0.5)
    sent = 0
    started = time.monotonic()
    while time.monotonic() - started < 8:  # 813-byte answers to requests of 60 bytes
        try:
            sock.sendall(one * 1000)
            sent += 1000
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            break
    grown = _rss_kib(server.proc.pid) - before
    sock.close()
    assert grown < 64 * 1024, f"{sent} unread answers grew the server by {grown} KiB"
    _well_behaved_client_is_answered(server)
