"""Bounded line reads of a regular file: a log of any size in constant memory.

Usage files are line logs that may grow to gigabytes, so :mod:`.safeio`'s whole-file
cap does not fit them; what must hold instead is that no single line can take more
memory than a cap, and that nothing but a regular file is read. :class:`LineReader`
opens the way :func:`.safeio.read_regular` does (type checked before and after
opening, without blocking on a FIFO), reads in chunks, and yields each line without
its ``\\n``; a line longer than ``max_line`` bytes is yielded as ``None`` (counted by
the caller, never held whole). A 600 MB line of NUL bytes costs one chunk of memory.

Standard library only. Errors are :mod:`.safeio`'s (:class:`~.safeio.FileMissing`,
:class:`~.safeio.NotRegularFile`, :class:`~.safeio.SafeReadError`), raised when the
reader is made, with one-line messages that name neither the path nor any content.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from types import TracebackType

from regctl.io.safeio import FileMissing, NotRegularFile, SafeReadError, describe_mode

__all__ = ["CHUNK", "LineReader"]

CHUNK = 1 << 20


def _open_regular(path: str | os.PathLike[str]) -> int:
    try:
        st = os.stat(path)  # refuse before opening: opening some devices has effects
    except FileNotFoundError:
        raise FileMissing("does not exist") from None
    except OSError as exc:
        raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(f"is {describe_mode(st.st_mode)}, not a regular file")
    try:
        # O_NONBLOCK: a FIFO swapped in since the stat cannot block the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileMissing("does not exist") from None
    except OSError as exc:
        raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFile(f"is {describe_mode(mode)}, not a regular file")
    return fd


class LineReader:
    """The lines of one regular file (see the module docstring); use it in a ``with``.

    ``on_bytes(n)`` is told of every chunk read (for a progress bar); ``bytes_read`` is
    the total so far.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        max_line: int,
        *,
        on_bytes: Callable[[int], None] | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self._fd = _open_regular(path)
        self.max_line = max_line
        self.on_bytes = on_bytes
        self.chunk = max(chunk, 1)
        self.bytes_read = 0

    def _chunks(self) -> Iterator[bytes]:
        while True:
            try:
                data = os.read(self._fd, self.chunk)
            except OSError as exc:
                raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
            if not data:
                return
            self.bytes_read += len(data)
            if self.on_bytes is not None:
                self.on_bytes(len(data))
            yield data

    def __iter__(self) -> Iterator[bytes | None]:
        cap = self.max_line
        pending = b""  # the start of a line that has not ended yet (at most ``cap`` bytes)
        skipping = False  # inside a line already over the cap: drop bytes to its end
        for data in self._chunks():
            if data.find(b"\n") < 0:
                # Inside one long line (a NUL flood, a sparse file): memchr is ~50x
                # faster than the split below on a chunk without a line break.
                if not skipping:
                    if len(pending) + len(data) > cap:
                        pending, skipping = b"", True
                    else:
                        pending += data
                continue
            parts = data.split(b"\n")
            last = parts.pop()
            if parts:
                if skipping:
                    yield None
                    skipping = False
                else:
                    first = pending + parts[0]
                    yield first if len(first) <= cap else None
                pending = b""
                middle = parts[1:]
                if max(map(len, middle), default=0) <= cap:
                    yield from middle  # the common case, without a test per line
                else:
                    for part in middle:
                        yield part if len(part) <= cap else None
            if not skipping:
                if len(pending) + len(last) > cap:
                    pending, skipping = b"", True
                else:
                    pending += last
        if skipping:
            yield None
        elif pending:
            yield pending

    def close(self) -> None:
        """Close the file (also done by the ``with`` block)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> LineReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
