"""``regctl spend`` on hostile usage files, as a user runs it: exit codes and memory.

The matrix of every hostile file against every surface (usage files, ``spend``, the
JSONL sink, ``file:`` secrets) is in ``tests/hostile`` (``surfaces_data.py``); these add
what only a whole process shows: the exact error line and exit code, and a 2 GiB line
read under an address-space limit that a whole-line read would exceed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.hostile.files import KINDS


def _spend(
    args: list[str], cwd: Path, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    def cap() -> None:  # an address-space limit: a read of the whole file would fail
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k != "REGCTL_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "regctl", "spend", *args, "--month", "2026-11"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from regctl.authoring.init import init_project

    init_project(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("kind", "why"), [
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("dev-zero-link", "is a device, not a regular file"),
    ("directory", "is a directory, not a regular file"),
])  # fmt: skip
def test_spend_refuses_what_is_not_a_file_at_once(project: Path, kind: str, why: str) -> None:
    KINDS[kind](project / "usage.jsonl")
    start = time.monotonic()
    done = _spend(["usage.jsonl"], project)
    assert time.monotonic() - start < 30
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"error: usage.jsonl: cannot read usage file: {why}\n"


def test_spend_reads_a_2gib_line_in_512_mib_of_address_space(project: Path) -> None:
    """Before: a 600 MB line of NUL bytes ended in MemoryError (the whole line was held)."""
    KINDS["sparse-2gib"](project / "usage.jsonl")
    done = _spend(["usage.jsonl", "--format", "json"], project, limit=512 << 20)
    assert done.returncode == 0, done.stderr
    assert '"malformed_lines": 1' in done.stdout
    assert "usage.jsonl:1: line over 65536 bytes" in done.stderr
    check = _spend(["usage.jsonl", "--check"], project, limit=512 << 20)
    assert check.returncode == 1 and "MemoryError" not in check.stderr
