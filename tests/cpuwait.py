"""How long the processes under test waited for a CPU: the machine's share of a wall-clock figure.

A timing budget in a test (a deadline honoured, a head cut at its timeout, a change
delivered at once) must tell a bounded operation from an unbounded one without flaking
on a machine shared by several test runs, where a runnable thread waits seconds for a
CPU (2 cores, load 9: a woken thread waited 2-4 s). Linux counts that wait per thread:
the second field of ``/proc/PID/task/TID/schedstat`` is the time spent runnable on a run
queue. A budget adds what the measured processes waited during the span, so on an idle
machine it stays as tight as written, and on a busy one it widens by the starvation
measured, never by a guess. A hang still fails: a thread blocked on a silent or
trickling peer sleeps, it does not wait on a run queue.

    with CpuWait(server_pid) as waited:
        ...
    assert took < 2.0 + waited.seconds

Threads are sampled every ``interval`` seconds, so a thread that starts and ends
between two samples is missed (it lived less than ``interval``). Where the kernel has
no schedstat, ``seconds`` is 0 and budgets are as written.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from types import TracebackType
from typing import Any

#: This process, and the pids to measure besides it.
SELF = "self"


def _waits(pid: str) -> dict[str, int]:
    """Run-queue wait (ns) of each thread of ``pid`` now; {} if it is gone."""
    out: dict[str, int] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                out[tid] = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return out


class CpuWait:
    """Seconds the threads of this process (and of ``pids``) spent waiting for a CPU."""

    def __init__(self, *pids: int, interval: float = 0.05) -> None:
        self._pids = [SELF, *(str(p) for p in pids)]
        self._interval = interval
        self._first: dict[tuple[str, str], int] = {}
        self._last: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sampler = ""

    def _sample(self, first: bool = False) -> None:
        for pid in self._pids:
            for tid, ns in _waits(pid).items():
                key = (pid, tid)
                if pid == SELF and tid == self._sampler:
                    continue  # its own waits are not the code's
                # A thread first seen after the start waited all of it during the span.
                self._first.setdefault(key, ns if first else 0)
                self._last[key] = ns

    def _run(self) -> None:
        self._sampler = str(threading.get_native_id())
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self) -> CpuWait:
        self._sample(first=True)
        self._thread = threading.Thread(target=self._run, name="cpuwait", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()

    @property
    def seconds(self) -> float:
        """Run-queue wait summed over the measured threads so far (seconds)."""
        return sum(self._last[k] - self._first[k] for k in self._last) / 1e9


def run(
    argv: list[str], *, timeout: float, **popen: Any
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``subprocess.run(argv, capture_output=True, text=True)``, measured: the completed
    process, its wall time, and what it and this process waited for a CPU meanwhile."""
    start = time.monotonic()
    with (
        subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
        ) as proc,
        CpuWait(proc.pid) as waited,
    ):
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    done = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    return done, time.monotonic() - start, waited.seconds
