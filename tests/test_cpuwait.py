"""tests/cpuwait.py measures what timing budgets add: a busy machine's share, never a hang's.

Three CPU hogs make this 2-core machine busy on purpose for about two seconds: a
thread that computes then waits on a run queue (counted), while a thread blocked on a
silent peer sleeps and waits for no CPU (not counted, so a budget that adds the wait
still fails a hang).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from tests.cpuwait import CpuWait


@pytest.fixture
def busy() -> Iterator[None]:
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range((os.cpu_count() or 2) + 1)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_computing_on_a_busy_machine_counts_its_wait(busy: None) -> None:
    with CpuWait() as waited:
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            pass
    assert waited.seconds > 0.1, waited.seconds


def test_a_hang_on_a_silent_peer_waits_for_no_cpu(busy: None) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    client.settimeout(1.0)
    try:
        with CpuWait() as waited, pytest.raises(TimeoutError):
            client.recv(1)  # the peer never sends: blocked, asleep
        assert waited.seconds < 0.3, waited.seconds
    finally:
        client.close()
        server.close()


def test_another_process_is_measured_by_its_pid(busy: None) -> None:
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with CpuWait(hog.pid) as waited:
            time.sleep(1.0)
        assert waited.seconds > 0.1, waited.seconds
    finally:
        hog.kill()
        hog.wait()
