"""The hostile file family: things that sit where regctl expects a file and are not one.

Each :data:`KINDS` entry puts its hostile thing at a path: a FIFO (``open`` waits for
a writer forever), a symlink to ``/dev/zero`` (endless, and ``st_size`` is 0), a 2 GiB
sparse file (costs no disk, would cost 2 GiB of memory), a flood of NUL bytes under
every size cap, bytes that are not UTF-8, a directory. Every surface in
:mod:`surfaces` of the ``file`` family is pointed at each.

To add a kind: one function ``(Path) -> None`` in :data:`KINDS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

GIB = 1 << 30


def _fifo(dest: Path) -> None:
    os.mkfifo(dest)


def _dev_zero(dest: Path) -> None:
    dest.symlink_to("/dev/zero")


def _sparse_2gib(dest: Path) -> None:
    with dest.open("wb") as fh:
        fh.truncate(2 * GIB)


def _nul_flood(dest: Path) -> None:
    # 8 MiB: under the registry file cap (10 MB), so the parser, not the cap, meets it.
    dest.write_bytes(b"\0" * (8 << 20))


def _invalid_utf8(dest: Path) -> None:
    dest.write_bytes(b"apiVersion: regctl/v1\nkind: \xff\xfe\xc3\x28 \xed\xa0\x80\n" * 100)


def _directory(dest: Path) -> None:
    dest.mkdir()


#: Kinds that aim at memory (the suite traces peak memory for these).
FLOODS = frozenset({"dev-zero-link", "sparse-2gib", "nul-flood"})

#: Kind name -> how to put it at a path.
KINDS: dict[str, Callable[[Path], None]] = {
    "fifo": _fifo,
    "dev-zero-link": _dev_zero,
    "sparse-2gib": _sparse_2gib,
    "nul-flood": _nul_flood,
    "invalid-utf8": _invalid_utf8,
    "directory": _directory,
}
