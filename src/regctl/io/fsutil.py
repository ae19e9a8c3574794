"""Writes: atomic replacement (a reader sees the old bytes or the new, never a mix) and
appending a line to a log that a pull request may have replaced with a FIFO or device."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


def atomic_write(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder, fsync, and rename.

    ``data`` may be an iterable of chunks (written as they come: a large file is never
    held in memory whole); if it raises, the temp file is removed and ``path`` is untouched.
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would (or keep the old one).
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes | bytearray | memoryview):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


class AppendError(OSError):
    """The log cannot be appended to; ``strerror`` is a one-line reason without the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)


@contextlib.contextmanager
def appending(path: str | Path) -> Iterator[Callable[[bytes], None]]:
    """Open ``path`` (created if missing) to append whole lines; yields ``append(line)``.

    Only a regular file is appended to, checked after opening: a symlink is refused
    (``O_NOFOLLOW``), a FIFO opens without blocking (``O_NONBLOCK``) and is refused, so
    is a device. Opening first lets a caller check the log before it changes anything
    else. A line is started afresh when a killed writer left a torn last line, and is
    fsynced.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if os.path.islink(path):
            raise AppendError("is a symlink; regctl does not write through symlinks") from None
        if os.path.isdir(path):
            raise AppendError("is a directory, not a regular file") from None
        raise AppendError(exc.strerror or type(exc).__name__) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            from regctl.io.safeio import describe_mode

            raise AppendError(f"is {describe_mode(mode)}, not a regular file")

        def append(line: bytes) -> None:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)

        yield append
    finally:
        os.close(fd)
