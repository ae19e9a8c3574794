"""Every server regctl runs against every hostile client (the client family, README.md).

The server runs once per surface, as a real process with 1024 descriptors, and
meets the attacks one after the other (an attack's leftovers are the next one's
weather). After each: a well-behaved client is answered within 5 s (plus what the
server and the test waited for a CPU, tests/cpuwait.py) while the
attacker's sockets are still open, the server's memory grew by less than 64 MiB,
and its log holds no traceback.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cpuwait import CpuWait
from tests.hostile.clients import ATTACKS
from tests.hostile.surfaces import SURFACES, family

CASES = [pytest.param(s.name, a, id=f"{s.name}-{a}") for s in family("client") for a in ATTACKS]


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    running: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in running:
            running[name] = SURFACES[name].drive(tmp_path_factory.mktemp(name))
        return running[name]

    yield get
    for srv in running.values():
        assert srv.stop() == 0


@pytest.mark.parametrize(("surface", "attack"), CASES)
def test_server_survives_hostile_client(
    surface: str, attack: str, served: Callable[[str], Any]
) -> None:
    srv = served(surface)
    before = _rss_kib(srv.pid)
    with CpuWait(srv.pid) as waited:
        held = ATTACKS[attack](srv.addr, waited)
    try:
        with CpuWait(srv.pid) as answering:
            start = time.monotonic()
            assert srv.answers(), f"{surface}: a well-behaved client was not answered"
            took = time.monotonic() - start
        limit = 5 + answering.seconds
        assert took < limit, f"{surface}: answered only after the attack ({took:.1f} s)"
        grown = _rss_kib(srv.pid) - before
        assert grown < 64 * 1024, f"{surface} grew by {grown} KiB under {attack}"
    finally:
        for s in held:
            with contextlib.suppress(OSError):
                s.close()
    assert "Traceback" not in srv.logs()
