"""The ``file:PATH`` target: a lock manifest on a local (or mounted) file system.

Layout next to ``PATH`` (e.g. ``deploy/prod/manifest.lock.json``):

- ``manifest.lock.json.lock``: the lock file; ``fcntl.flock`` on it serialises applies
  and is released by the kernel when a process dies, so a killed apply never leaves
  a stale lock behind.
- ``manifest.lock.json.history/sha256-<hex>.json``: every manifest ever applied, by
  digest, and ``log.jsonl``: one line per apply, oldest first.

Writes go to a temporary file in the same folder, are fsynced, renamed over the
target with ``os.replace`` (atomic on POSIX) and the folder is fsynced, so a reader
(or a crash) sees the old or the new manifest, never a mix. The history copy is
written *before* the target, so a deployed manifest is always found in history.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from regctl.base.canonical import DIGEST_PREFIX
from regctl.deploy.targets.base import (
    Deployed,
    HistoryEntry,
    TargetChanged,
    TargetError,
    TargetLocked,
    WriteResult,
)
from regctl.io import safeio
from regctl.io.fsutil import AppendError, appending, atomic_write

MAX_MANIFEST_BYTES = 256 * 1024 * 1024
"""The largest deployed manifest, history copy or history log read from disk."""


def _digest_file_name(digest: str) -> str:
    if not digest.startswith(DIGEST_PREFIX) or not digest[len(DIGEST_PREFIX) :].isalnum():
        raise TargetError(f"not a manifest digest: {digest!r}")
    return "sha256-" + digest[len(DIGEST_PREFIX) :] + ".json"


class FileTarget:
    """A manifest file with an exclusive lock and a history folder."""

    supports_history = True

    def __init__(self, path: Path, uri: str | None = None) -> None:
        self.path = path
        self.uri = uri or f"file:{path}"
        self.lock_path = path.with_name(path.name + ".lock")
        self.history_dir = path.with_name(path.name + ".history")

    def __repr__(self) -> str:
        return f"FileTarget({self.uri!r})"

    # -- reading -----------------------------------------------------------------
    def read(self) -> Deployed:
        """Return the deployed bytes (``Deployed(None)`` if the file does not exist).

        Only a regular file is read, never more than :data:`MAX_MANIFEST_BYTES`. A
        symlink is refused: writing would replace the link with a file (or, written
        through, overwrite whatever a pull request pointed it at).
        """
        if self.path.is_symlink():
            raise TargetError(
                f"target {self.uri} is a symlink (to {os.readlink(self.path)}); regctl does not"
                " write through symlinks: name the real file as the target"
            )
        try:
            return Deployed(
                safeio.read_regular(self.path, MAX_MANIFEST_BYTES, follow_symlinks=False)
            )
        except safeio.FileMissing:
            return Deployed(None)
        except safeio.NotRegularFile as exc:
            if self.path.is_dir():
                raise TargetError(f"target {self.uri} is a folder, not a file") from None
            raise TargetError(f"target {self.uri} {exc}") from None
        except safeio.SafeReadError as exc:
            raise TargetError(f"target {self.uri}: {exc}") from None

    # -- locking -----------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the exclusive apply lock; fail at once (never wait) when it is taken."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise TargetError(f"cannot open lock file {self.lock_path}: {exc.strerror}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise TargetLocked(
                        f"target {self.uri} is locked by another apply "
                        f"(lock file {self.lock_path}); try again when it has finished"
                    ) from None
                raise
            yield
        finally:
            # Closing the descriptor releases the flock.
            os.close(fd)

    # -- writing -----------------------------------------------------------------
    def write(self, text: str, digest: str, *, expected: Deployed) -> WriteResult:
        """Atomically replace the manifest iff it still holds ``expected`` (under the lock)."""
        data = text.encode("utf-8")
        with self.lock():
            current = self.read()
            if current.fingerprint != expected.fingerprint:
                now = current.digest or current.fingerprint or "nothing"
                raise TargetChanged(
                    f"target {self.uri} changed since it was read (it now holds {now}); "
                    "run plan again"
                )
            self._clean_temp_files()
            try:
                self.history_dir.mkdir(parents=True, exist_ok=True)
                # The log is opened (and checked) before anything changes: a FIFO or a
                # device there refuses the apply instead of leaving it half done.
                with appending(self.history_dir / "log.jsonl") as log:
                    # Keep the manifest being replaced too, so rollback can return to it
                    # even when it was not written by regctl (only a genuine manifest).
                    if current.digest and current.digest_ok and current.raw is not None:
                        self._keep(current.digest, current.raw)
                    self._keep(digest, data)
                    atomic_write(self.path, data)
                    log(self._log_line(digest, current.digest))
            except AppendError as exc:
                raise TargetError(
                    f"cannot write target {self.uri}: its history log {exc.strerror}"
                ) from None
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise TargetError(f"cannot write target {self.uri}: {reason}") from None
        return WriteResult(digest=digest, previous_digest=current.digest, location=self.uri)

    def _keep(self, digest: str, data: bytes) -> None:
        path = self.history_dir / _digest_file_name(digest)
        if not path.exists():
            atomic_write(path, data)

    @staticmethod
    def _log_line(digest: str, previous: str | None) -> bytes:
        now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        line = json.dumps({"digest": digest, "previous": previous, "applied_at": now}) + "\n"
        return line.encode("utf-8")

    def _clean_temp_files(self) -> None:
        """Remove temp files a killed apply left behind (safe: we hold the lock)."""
        # fsutil.atomic_write names its temp files ".<name>.<random>.tmp".
        patterns = [(self.path.parent, f".{self.path.name}.*.tmp"), (self.history_dir, ".*.tmp")]
        for folder, pattern in patterns:
            for leftover in folder.glob(pattern) if folder.is_dir() else ():
                with contextlib.suppress(OSError):
                    leftover.unlink()

    # -- history -----------------------------------------------------------------
    def history(self) -> list[HistoryEntry]:
        """Applies recorded in ``log.jsonl``, oldest first (a torn last line is skipped)."""
        entries: list[HistoryEntry] = []
        try:
            raw = safeio.read_regular(self.history_dir / "log.jsonl", MAX_MANIFEST_BYTES)
        except safeio.FileMissing:
            return entries
        except safeio.SafeReadError as exc:
            raise TargetError(f"history log of target {self.uri} {exc}") from None
        for line in raw.decode("utf-8", "replace").splitlines():
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError):  # a torn, garbled or hostile line
                continue
            if isinstance(rec, dict) and isinstance(rec.get("digest"), str):
                at = rec.get("applied_at")
                entries.append(HistoryEntry(rec["digest"], at if isinstance(at, str) else None))
        return entries

    def history_digests(self) -> set[str]:
        """Digests of every manifest kept in the history folder."""
        if not self.history_dir.is_dir():
            return set()
        return {
            DIGEST_PREFIX + p.name[len("sha256-") : -len(".json")]
            for p in self.history_dir.glob("sha256-*.json")
        }

    def load_history(self, digest: str) -> str:
        """The manifest text kept under ``digest``."""
        path = self.history_dir / _digest_file_name(digest)
        try:
            return safeio.read_text(path, MAX_MANIFEST_BYTES)
        except safeio.FileMissing:
            raise TargetError(f"{digest} is not in the history of target {self.uri}") from None
        except safeio.SafeReadError as exc:
            raise TargetError(f"history copy {path.name} of target {self.uri} {exc}") from None
