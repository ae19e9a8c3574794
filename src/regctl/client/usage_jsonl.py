"""The JSONL usage sink: buffered, size-rotated, safe for several processes appending.

Why it is safe to share one file between processes (POSIX):

- the file is opened with ``O_APPEND``, and each flush is **one** ``write()`` of whole
  lines, so the kernel puts every flush at the end of the file in one piece: lines of
  two processes never interleave or overwrite each other;
- rotation renames the file under an exclusive ``flock`` on ``PATH.lock`` (only one
  process rotates); the others notice the new inode at their next flush and reopen.
  A flush that races a rotation lands in the rotated file: moved, never lost.

The path must be a regular file (or not exist yet): a FIFO would block the app on its
first write and a device would swallow the events, so either is refused with a
:class:`~regctl.client.usage_event.UsageError` when the sink starts (the file is
opened without blocking and its type checked after opening).

Events wait in memory until ``flush_lines`` are buffered, ``flush_interval`` seconds
passed (a daemon thread checks), :meth:`JsonlSink.flush` or interpreter exit. A
process killed with SIGKILL loses its buffer (at most ``flush_lines`` events).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import stat
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regctl.client.usage_event import UsageEvent

# O_NONBLOCK: opening a FIFO for writing with no reader fails at once (ENXIO) instead
# of waiting for one; on a regular file it changes nothing.
_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class JsonlSink:
    """Append usage events as JSON lines to ``path`` (see the module docstring).

    ``max_bytes``: rotate when the file reaches this size (0: never) to
    ``PATH.YYYYmmddTHHMMSSZ[.N]``; ``backups``: rotated files to keep (0: all).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = 100 * 1024 * 1024,
        backups: int = 0,
        flush_lines: int = 256,
        flush_interval: float = 1.0,
    ) -> None:
        self.path = os.fspath(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self.flush_lines = flush_lines
        self.flush_interval = flush_interval
        self._buf: list[str] = []
        self._lock = threading.Lock()
        self._fd = -1
        self._ino = -1
        self._closed = False
        self._timer: threading.Thread | None = None
        self._stop = threading.Event()
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        self._open()
        atexit.register(self.close)
        if hasattr(os, "register_at_fork"):
            # A forked child must not write the parent's buffered events a second time.
            os.register_at_fork(after_in_child=self._after_fork)

    def _open(self) -> None:
        from regctl.client.usage_event import UsageError

        try:
            fd = os.open(self.path, _FLAGS, 0o644)
        except OSError as exc:
            why = "a FIFO with no reader" if exc.errno == errno.ENXIO else exc.strerror
            raise UsageError(f"usage file {self.path}: cannot open for appending: {why}") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise UsageError(f"usage file {self.path}: not a regular file")
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._ino = fd, st.st_ino

    def _after_fork(self) -> None:
        self._buf = []
        self._lock = threading.Lock()
        self._timer = None
        self._stop = threading.Event()

    def emit(self, event: UsageEvent) -> None:
        """Buffer one event; flushes when ``flush_lines`` are waiting."""
        if self._closed:
            return
        buf = self._buf
        buf.append(event.to_json())
        if len(buf) >= self.flush_lines:
            self.flush()
        elif self._timer is None and self.flush_interval > 0:
            self._start_timer()

    def _start_timer(self) -> None:
        with self._lock:
            if self._timer is not None or self._closed:
                return
            stop = self._stop

            def loop() -> None:
                while not stop.wait(self.flush_interval):
                    self.flush()

            self._timer = threading.Thread(target=loop, name="regctl-usage-jsonl", daemon=True)
            self._timer.start()

    def flush(self) -> None:
        """Write the buffered lines with one ``write()`` (rotating first when due)."""
        with self._lock:
            if not self._buf or self._fd < 0:
                return
            lines, self._buf = self._buf, []
            data = ("\n".join(lines) + "\n").encode("utf-8")
            self._follow()
            if self.max_bytes and os.fstat(self._fd).st_size + len(data) > self.max_bytes:
                self._rotate()
            view = memoryview(data)
            while view:  # a short write only on a full disk or a signal; finish it
                view = view[os.write(self._fd, view) :]

    def _follow(self) -> None:
        """Reopen when another process rotated the file away from our descriptor.

        If the new file cannot be opened (something else was put at the path), the
        events keep going to the file the descriptor holds: moved, never lost.
        """
        try:
            ino = os.stat(self.path).st_ino
        except OSError:
            ino = -1
        if ino != self._ino:
            from regctl.client.usage_event import UsageError

            with contextlib.suppress(UsageError):
                self._open()

    def _rotate(self) -> None:
        import fcntl

        with open(self.path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                st = os.stat(self.path)
                # Another process may have rotated while we waited for the lock.
                if st.st_ino == self._ino and st.st_size > 0:
                    os.rename(self.path, self._rotated_name())
                    self._prune()
                self._open()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _rotated_name(self) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name, n = f"{self.path}.{stamp}", 1
        while os.path.exists(name):
            n += 1
            name = f"{self.path}.{stamp}.{n}"
        return name

    def rotated(self) -> list[str]:
        """The rotated files of ``path``, oldest first."""
        return rotated_files(self.path)

    def _prune(self) -> None:
        if self.backups > 0:
            for old in self.rotated()[: -self.backups]:
                os.unlink(old)

    def close(self) -> None:
        """Flush and close (also at interpreter exit); later events are dropped."""
        self._stop.set()
        self.flush()
        with self._lock:
            self._closed = True
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __repr__(self) -> str:
        return f"JsonlSink({self.path!r}, buffered={len(self._buf)})"


def rotated_files(path: str | os.PathLike[str]) -> list[str]:
    """The files a :class:`JsonlSink` rotated ``path`` to, oldest first."""
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    base = os.path.basename(path) + "."
    names = [
        n
        for n in os.listdir(folder)
        if n.startswith(base) and n[len(base) : len(base) + 1].isdigit()
    ]
    return [os.path.join(folder, n) for n in sorted(names, key=_rotation_order)]


def _rotation_order(name: str) -> tuple[str, int]:
    parts = name.rsplit(".", 2)
    stamp = next((p for p in parts if p[:1].isdigit() and "T" in p), "")
    n = int(parts[-1]) if parts[-1].isdigit() else 1
    return stamp, n


def from_spec(arg: str) -> JsonlSink:
    """The ``regctl.usage_sinks`` entry point: ``jsonl:PATH``."""
    return JsonlSink(arg)
