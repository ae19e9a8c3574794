"""Safe file writes for commands that edit the registry in place.

A command takes a :class:`Snapshot` when it reads a file and calls :func:`write_checked`
to write it back: the write is refused when the file changed on disk in between (another
editor, another ``regctl`` run), and it is atomic (:func:`regctl.io.fsutil.atomic_write`)
so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from regctl.base.errors import RegctlError
from regctl.base.i18n import msg
from regctl.io import safeio
from regctl.io.fsutil import atomic_write


class FileChangedError(RegctlError):
    """The file changed on disk between reading and writing it."""


class UnreadableFileError(RegctlError):
    """Not a regular file, too large, or unreadable (see :mod:`regctl.io.safeio`)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.detail = detail


_BOM = "\ufeff"


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when it was read: its text plus mtime and hash to detect edits.

    ``text`` never starts with a UTF-8 byte-order mark; ``bom`` says the file had one,
    and :func:`write_checked` puts it back (an editor that wrote it expects to keep it).
    """

    path: Path
    text: str
    mtime_ns: int
    size: int
    sha256: str
    bom: bool = False

    @classmethod
    def take(cls, path: Path) -> Snapshot:
        """Read ``path`` (UTF-8) and remember its mtime, size and hash.

        Only a regular file of at most the validator's size cap is read (a FIFO put in the
        registry must not hang the command): anything else raises
        :class:`UnreadableFileError`.
        """
        from regctl.pipeline.source import MAX_FILE_BYTES

        try:
            data = safeio.read_regular(path, MAX_FILE_BYTES)
        except safeio.SafeReadError as exc:
            raise UnreadableFileError(path, f"cannot read file: {exc}") from None
        return cls.of(path, data)

    @classmethod
    def of(cls, path: Path, data: bytes) -> Snapshot:
        """The snapshot of ``data``, just read from ``path`` (UTF-8), with its mtime and hash."""
        st = path.stat()
        text = data.decode("utf-8")
        return cls(
            path=path,
            text=text.removeprefix(_BOM),
            mtime_ns=st.st_mtime_ns,
            size=st.st_size,
            sha256=hashlib.sha256(data).hexdigest(),
            bom=text.startswith(_BOM),
        )

    def unchanged(self) -> bool:
        """True when the file on disk is still the one that was read."""
        from regctl.pipeline.source import MAX_FILE_BYTES

        try:
            st = self.path.stat()
            data = safeio.read_regular(self.path, MAX_FILE_BYTES)
        except (OSError, safeio.SafeReadError):
            return False
        # mtime alone misses edits within the clock's resolution, the hash alone costs a read
        # on every check; together they are cheap and exact.
        return (
            st.st_mtime_ns == self.mtime_ns
            and st.st_size == self.size
            and hashlib.sha256(data).hexdigest() == self.sha256
        )


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, keeping an existing file's mode."""
    atomic_write(path, text.encode("utf-8"))


def write_checked(snapshots: list[tuple[Snapshot, str]]) -> None:
    """Write each snapshot's new text, refusing if any of the files changed since it was read.

    All files are checked before the first write, so a conflict leaves every file untouched.
    """
    for snap, _ in snapshots:
        if not snap.unchanged():
            raise FileChangedError(
                msg(
                    "{path}: the file changed on disk while regctl was editing it; "
                    "nothing was written, run the command again",
                    path=str(snap.path),
                )
            )
    for snap, text in snapshots:
        if text != snap.text:
            atomic_write_text(snap.path, _BOM + text if snap.bom else text)


def registry_files(root: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below ``root`` in sorted order, as the validator finds them.

    Hidden folders are skipped; symlinks leading out of the registry (unless allowed, see
    :mod:`regctl.pipeline.source_guard`) and unreadable folders are left out: ``validate``
    reports them.
    """
    from regctl.pipeline import source_guard
    from regctl.pipeline.source import find_files

    return find_files(root, source_guard.allow_outside_default())[0]
