"""The hostile *client* family: what an HTTP client may do to a regctl server.

Each attack is a function of the server's address that does its worst over raw
sockets, checks what the attack itself must find (refused early, cut in time: the
time the server waited for a CPU is added to a time limit), and
returns the sockets it still holds open: the matrix (``test_hostile_clients.py``)
then checks that a well-behaved client is answered while they stay open, and that
the server's memory stayed bounded. A new attack is one function in :data:`ATTACKS`.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable

from tests.cpuwait import CpuWait

#: Head timeout the client-family servers run with (seconds; the default is 10).
HEAD_TIMEOUT = 2.0
#: What a server may buffer of one refused request: the 64 KiB limit plus loopback
#: socket buffers, never the 200 MB the attacker sends.
REFUSED_WITHIN = 32 << 20

Address = tuple[str, int]
#: An attack gets the server's address and what the server and the test waited for a
#: CPU so far (a timing check adds it: a busy shared machine's share, not the server's).
Attack = Callable[[Address, CpuWait], list[socket.socket]]


def _connect(addr: Address, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(addr, timeout=timeout)


def _read_all(sock: socket.socket) -> bytes:
    out = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while chunk := sock.recv(65536):
            out += chunk
    return out


def _flood(addr: Address, head: bytes, *expect: bytes) -> list[socket.socket]:
    sock = _connect(addr)
    sock.sendall(head)
    chunk, sent = b"a" * (1 << 20), 0
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while sent < 200 << 20:
            sock.sendall(chunk)
            sent += len(chunk)
    answer = _read_all(sock)
    sock.close()
    assert sent < REFUSED_WITHIN, f"the server read {sent} bytes before refusing"
    assert answer == b"" or answer.startswith(expect), answer[:100]
    return []


def huge_head(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """A 200 MB header: refused (431) after the head limit."""
    return _flood(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ", b"HTTP/1.1 431 ")


def huge_body(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """A GET announcing and sending a 2 GiB body: cut past the body cap (413), whether or
    not the request was already answered (the API never reads a body)."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2147483648\r\n\r\n"
    return _flood(addr, head, b"HTTP/1.1 413 ", b"HTTP/1.1 200 ")


def head_in_one_read(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """A 70 KiB head sent at once (the whole head in one read): 431."""
    sock = _connect(addr)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 70_000 + b"\r\n\r\n")
    answer = _read_all(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    return []


def slowloris(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """A head trickling in, one header line every 0.2 s: cut at the head timeout."""
    sock = _connect(addr)
    sock.settimeout(0.2)
    sock.sendall(b"GET /healthz HTTP/1.1\r\n")
    start = time.monotonic()
    while time.monotonic() - start < HEAD_TIMEOUT + 10:
        try:
            sock.sendall(b"X-Trickle: 1\r\n")
            if not sock.recv(4096):
                break
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    took = time.monotonic() - start
    sock.close()
    limit = HEAD_TIMEOUT + 3 + waited.seconds
    assert took < limit, f"a trickling head kept its connection {took:.1f} s (limit {limit:.1f})"
    return []


def silent(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """A connection that never sends a byte: closed at the head timeout."""
    sock = _connect(addr)
    start = time.monotonic()
    _read_all(sock)
    took = time.monotonic() - start
    sock.close()
    limit = HEAD_TIMEOUT + 3 + waited.seconds
    assert took < limit, f"a silent connection stayed open {took:.1f} s (limit {limit:.1f})"
    return []


def half_sent_thousands(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """3,000 requests left half-sent and held open (more than the server's descriptors)."""
    socks = []
    for _ in range(3000):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(addr)
        socks.append(s)
    time.sleep(0.5)
    for s in socks:
        with contextlib.suppress(OSError):
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    return socks


def unread_pipeline(addr: Address, waited: CpuWait) -> list[socket.socket]:
    """Pipelined requests for eight seconds from a client that never reads an answer."""
    sock = _connect(addr)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(0.5)
    one = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    start = time.monotonic()
    with contextlib.suppress(TimeoutError, BrokenPipeError, ConnectionResetError):
        while time.monotonic() - start < 8:
            sock.sendall(one * 1000)
    return [sock]


ATTACKS: dict[str, Attack] = {
    "huge-head": huge_head,
    "huge-body": huge_body,
    "head-in-one-read": head_in_one_read,
    "slowloris": slowloris,
    "silent": silent,
    "half-sent-thousands": half_sent_thousands,
    "unread-pipeline": unread_pipeline,
}
