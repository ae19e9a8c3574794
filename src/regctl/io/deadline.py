"""Total deadlines for blocking socket work: a watchdog shuts the socket down at the deadline.

Socket timeouts bound each ``recv``, not the whole exchange: a server that trickles
one byte a second keeps every read "alive" and stretches a 10 s timeout to hours.
A :class:`Watchdog` shuts its socket down when the deadline passes, whatever the
exchange is doing (connecting, sending, waiting for headers, reading the body), so
the blocked call returns at once with an error the caller reports as a timeout.

All watchdogs share one daemon thread (:class:`_Reaper`): a watcher polling every
second would otherwise start a thread per request, which costs more CPU than the
request itself. Standard library only.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time

__all__ = ["Watchdog", "remaining"]


def remaining(deadline: float) -> float:
    """Seconds left until ``deadline`` (a ``time.monotonic()`` value), never below 0."""
    return max(deadline - time.monotonic(), 0.0)


class Watchdog:
    """Shuts :attr:`sock` down at ``deadline`` unless cancelled first."""

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self.cancelled = False
        self._sock: socket.socket | None = None
        _REAPER.add(deadline, self)

    def watch(self, sock: socket.socket | None) -> None:
        """The socket to shut down (also at once, if the deadline already passed)."""
        self._sock = sock
        if self.fired:
            self._shutdown()

    def fire(self) -> None:
        if self.cancelled:
            return
        self.fired = True
        self._shutdown()

    def _shutdown(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        """The exchange ended in time; the reaper drops this dog when its deadline comes."""
        self.cancelled = True


class _Reaper:
    """One thread that fires watchdogs at their deadlines (a heap ordered by deadline)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, when: float, dog: Watchdog) -> None:
        with self._cv:
            heapq.heappush(self._heap, (when, next(self._seq), dog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="regctl-io-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is dog:
                self._cv.notify()  # an earlier deadline than the one being waited for

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                when, _, dog = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._cv.wait(delay)
                    continue
                heapq.heappop(self._heap)
            dog.fire()


_REAPER = _Reaper()
