"""Snapshots detect a file changed under the command; writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regctl.authoring.files import FileChangedError, Snapshot, atomic_write_text, write_checked


def test_write_refused_when_the_file_changed_and_nothing_written(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("a: 1\n")
    b.write_text("b: 1\n")
    snaps = [Snapshot.take(a), Snapshot.take(b)]
    b.write_text("b: 2\n")  # same size, maybe same mtime tick: the hash still differs
    with pytest.raises(FileChangedError, match="changed on disk"):
        write_checked([(snaps[0], "a: 9\n"), (snaps[1], "b: 9\n")])
    assert a.read_text() == "a: 1\n" and b.read_text() == "b: 2\n"


def test_unchanged_file_is_written_and_keeps_its_mode(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("a: 1\n")
    os.chmod(a, 0o640)
    write_checked([(Snapshot.take(a), "a: 2\n")])
    assert a.read_text() == "a: 2\n"
    assert a.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]  # no temp file left


def test_atomic_write_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "x" / "y.txt"
    atomic_write_text(target, "hi\n")
    assert target.read_text() == "hi\n"
