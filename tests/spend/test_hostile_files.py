"""Usage files, the JSONL sink and ``file:`` secrets against hostile files.

Each surface is pointed at a FIFO (``open`` waits for a writer forever), a symlink to
``/dev/zero`` (endless, ``st_size`` 0), a 2 GiB sparse file (one 2 GiB line of NUL
bytes), a NUL flood, bytes that are not UTF-8, and a directory. Each must answer in
time and in bounded memory with one printable line that holds no crash, or accept
the file for a reason written below. The drives have the shape of the hostile-peer
suite's surfaces (``drive(place, tmp) -> message``), to join ``tests/hostile``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

GIB = 1 << 30
Place = Callable[[Path], None]


def _fifo(dest: Path) -> None:
    os.mkfifo(dest)


def _dev_zero(dest: Path) -> None:
    dest.symlink_to("/dev/zero")


def _sparse_2gib(dest: Path) -> None:
    with dest.open("wb") as fh:
        fh.truncate(2 * GIB)


def _nul_flood(dest: Path) -> None:
    dest.write_bytes(b"\0" * (8 << 20))


def _invalid_utf8(dest: Path) -> None:
    dest.write_bytes(
        b'{"ts":"2026-11-03T12:00:00Z","provider":"\xff\xfe\xc3\x28 \xed\xa0\x80"}\n' * 100
    )


def _directory(dest: Path) -> None:
    dest.mkdir()


KINDS: dict[str, Place] = {
    "fifo": _fifo,
    "dev-zero-link": _dev_zero,
    "sparse-2gib": _sparse_2gib,
    "nul-flood": _nul_flood,
    "invalid-utf8": _invalid_utf8,
    "directory": _directory,
}
FLOODS = {"sparse-2gib", "nul-flood"}
CRASH_WORDS = ("Traceback", "internal error", "Error:", "MemoryError", "TypeError", "KeyError")


def _usage_file(place: Place, tmp: Path) -> str:
    """``regctl spend``'s reader: refuses what is not a regular file, caps each line."""
    from regctl.spend.ledger import SpendError, read_usage
    from regctl.spend.report import malformed_note

    path = tmp / "usage.jsonl"
    place(path)
    try:
        usage = read_usage([path], "2026-11")
    except SpendError as exc:
        return str(exc)
    return malformed_note(usage) or ""


def _usage_sink(place: Place, tmp: Path) -> str:
    """The JSONL sink appends to the file; a FIFO, device or folder is refused."""
    from regctl.client.usage_event import UsageError
    from regctl.client.usage_jsonl import JsonlSink

    path = tmp / "usage.jsonl"
    place(path)
    try:
        JsonlSink(path, flush_interval=0).close()
    except UsageError as exc:
        return str(exc)
    return ""


def _secret_file(place: Place, tmp: Path) -> str:
    from regctl.client import SecretError, resolve_secret

    path = tmp / "key"
    place(path)
    try:
        resolve_secret(f"file:{path}")
    except SecretError as exc:
        return str(exc)
    return ""


# surface -> (drive, {kind: what the message must say, or why the input is accepted})
SURFACES: dict[str, tuple[Callable[[Place, Path], str], dict[str, str]]] = {
    "spend.usage-file": (
        _usage_file,
        {
            "fifo": "is a FIFO (named pipe), not a regular file",
            "dev-zero-link": "is a device, not a regular file",
            "sparse-2gib": "1 malformed line(s)",
            "nul-flood": "1 malformed line(s)",
            "invalid-utf8": "100 malformed line(s)",
            "directory": "is a directory, not a regular file",
        },
    ),
    "client.usage-sink": (
        _usage_sink,
        {
            "fifo": "a FIFO with no reader",
            "dev-zero-link": "not a regular file",
            "sparse-2gib": "ACCEPT: a regular file; the sink appends, and rotates it aside",
            "nul-flood": "ACCEPT: a regular file; the sink appends whole lines after it",
            "invalid-utf8": "ACCEPT: a regular file; the sink appends whole lines after it",
            "directory": "Is a directory",
        },
    ),
    "client.secret-file": (
        _secret_file,
        {
            "fifo": "is a FIFO (named pipe), not a regular file",
            "dev-zero-link": "is a device, not a regular file",
            "sparse-2gib": "over the 64 KiB limit",
            "nul-flood": "over the 64 KiB limit",
            "invalid-utf8": "is not UTF-8",
            "directory": "is a directory, not a regular file",
        },
    ),
}
CASES = [(s, k) for s in SURFACES for k in KINDS]


@pytest.mark.parametrize(("surface", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_surface_survives_hostile_file(surface: str, kind: str, tmp_path: Path) -> None:
    drive, expected = SURFACES[surface]
    flood = kind in FLOODS
    if flood:
        tracemalloc.start()
    start = time.monotonic()
    try:
        message = drive(KINDS[kind], tmp_path)
    finally:
        seconds = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1] if flood else 0
        if flood:
            tracemalloc.stop()
    assert seconds < (60 if flood else 5), f"{seconds:.1f} s"
    assert peak < 64 << 20, f"peak {peak >> 20} MiB"  # a chunk or two, never the file
    want = expected[kind]
    if want.startswith("ACCEPT: "):
        assert message == ""
        return
    assert want in message, message
    assert "\n" not in message and message.isprintable(), repr(message)
    assert not any(word in message for word in CRASH_WORDS), message


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
    assert done.returncode == 3, done.stderr
    assert done.stderr == f"error: usage.jsonl: cannot read usage file: {why}\n"


def test_spend_reads_a_2gib_line_in_512_mib_of_address_space(project: Path) -> None:
    """Before: a 600 MB line of NUL bytes ended in MemoryError (the whole line was held)."""
    _sparse_2gib(project / "usage.jsonl")
    done = _spend(["usage.jsonl", "--format", "json"], project, limit=512 << 20)
    assert done.returncode == 0, done.stderr
    assert '"malformed_lines": 1' in done.stdout
    assert "usage.jsonl:1: line over 65536 bytes" in done.stderr
    check = _spend(["usage.jsonl", "--check"], project, limit=512 << 20)
    assert check.returncode == 1 and "MemoryError" not in check.stderr
