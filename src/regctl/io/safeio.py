"""Bounded reads of regular files: the one way untrusted bytes come in from disk.

Standard library only (the runtime client uses it too). A registry file, a
``file:`` secret, a deployed manifest or its history may be a FIFO (``open``
would wait forever for a writer), a device (``/dev/zero`` never ends, and its
``st_size`` is 0, so a size check before reading proves nothing), a directory
named ``x.yaml``, or a symlink to any of those. :func:`read_regular` opens
without blocking, checks with ``fstat`` *after* opening (so a swap between a
check and the open cannot slip past), and enforces the size cap while reading.

Errors are :class:`SafeReadError` subclasses whose message is one line without
the path (the caller names the path in its own words) and never any content.
"""

from __future__ import annotations

import os
import stat

__all__ = [
    "FileMissing",
    "NotRegularFile",
    "SafeReadError",
    "TooLarge",
    "read_regular",
    "read_text",
]

_CHUNK = 1 << 20


class SafeReadError(Exception):
    """A file could not be read safely; ``str()`` is a one-line reason without the path."""


class FileMissing(SafeReadError):
    """Nothing exists at the path (a dangling symlink counts as missing)."""


class NotRegularFile(SafeReadError):
    """The path is a FIFO, a device, a socket, a directory, or a symlink when none is allowed."""


class TooLarge(SafeReadError):
    """The file holds more than the cap allows (found while reading, not from ``st_size``)."""


def describe_mode(mode: int) -> str:
    """A reader's word for a file type: 'a directory', 'a FIFO (named pipe)', ..."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symlink"
    return "not a regular file"


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):g} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):g} KiB"
    return f"{n} bytes"


def read_regular(
    path: str | os.PathLike[str], max_bytes: int, *, follow_symlinks: bool = True
) -> bytes:
    """Read a whole regular file of at most ``max_bytes`` bytes.

    ``follow_symlinks=False`` refuses a symlink at the last path component
    (``O_NOFOLLOW``). Raises :class:`FileMissing`, :class:`NotRegularFile`,
    :class:`TooLarge`, or :class:`SafeReadError` for any other OS error.
    """
    try:
        # Refuse non-regular files before opening: opening some devices has effects.
        st = os.stat(path) if follow_symlinks else os.lstat(path)
    except FileNotFoundError:
        raise FileMissing("does not exist") from None
    except OSError as exc:
        raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(f"is {describe_mode(st.st_mode)}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        # O_NONBLOCK: if the path became a FIFO since the stat, open returns at once.
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileMissing("does not exist") from None
    except OSError as exc:
        raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"is {describe_mode(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise TooLarge(f"is {_size(st.st_size)}, over the {_size(max_bytes)} limit")
        chunks: list[bytes] = []
        total = 0
        while True:
            # The cap holds while reading: a file growing under us cannot exceed it.
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise TooLarge(f"is over the {_size(max_bytes)} limit")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SafeReadError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)


def current_text(path: str | os.PathLike[str], max_bytes: int = 64 << 20) -> str | None:
    """The text of a file regctl is about to regenerate, or ``None`` when there is none
    to compare (missing, not a regular file, too large, not UTF-8: it gets rewritten)."""
    try:
        return read_text(path, max_bytes)
    except SafeReadError:
        return None


def read_text(path: str | os.PathLike[str], max_bytes: int, *, follow_symlinks: bool = True) -> str:
    """:func:`read_regular` decoded as UTF-8 (:class:`SafeReadError` if it is not)."""
    raw = read_regular(path, max_bytes, follow_symlinks=follow_symlinks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SafeReadError("is not UTF-8 text") from None
