"""The data surfaces of the hostile suite: usage files, ``spend``, the usage sink, secret files.

Registered in :data:`tests.hostile.surfaces.SURFACES` (imported at the end of
``surfaces.py``); the file family points each at a FIFO, a ``/dev/zero`` link, a 2 GiB
sparse file, a NUL flood, invalid UTF-8 and a directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hostile.surfaces import Place, refused, surface

_APPENDS = "a regular file: the sink appends whole lines after what is there"


@surface(
    "spend.usage-file",
    "file",
    "regctl.spend.ledger",
    "regctl.io.safelines",
    # A log is read to its end: 2 GiB of NUL bytes is one malformed line, found in
    # chunks of 1 MiB (seconds, not memory).
    slack=25.0,
)
def _usage_file(place: Place, tmp: Path) -> str:
    """``spend``'s reader: what is not a regular file is an error; each line is capped,
    and a line that is no usage event is counted and named (the message)."""
    from regctl.spend.ledger import SpendError, read_usage
    from regctl.spend.report import malformed_note

    path = tmp / "usage.jsonl"
    place(path)
    said = refused(SpendError, lambda: read_usage([path], "2026-11"))
    if said:
        return said
    return malformed_note(read_usage([path], "2026-11")) or ""


@surface("spend.cli", "file", "regctl.cli.spend_cmd", slack=40.0)
def _spend_cli(place: Place, tmp: Path) -> str:
    """``regctl spend`` as a user runs it: its one line on stderr (exit 1, 2 when there is
    no file at all, or a warning: docs/exit-codes.md)."""
    from regctl.authoring.init import init_project

    init_project(tmp)
    place(tmp / "usage.jsonl")
    env = {k: v for k, v in os.environ.items() if k != "REGCTL_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "regctl", "spend", "usage.jsonl", "--month", "2026-11"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    return done.stderr.strip()


@surface(
    "client.usage-sink",
    "file",
    "regctl.client.usage_jsonl",
    tolerates={
        "sparse-2gib": _APPENDS + " (and rotates it aside, unread)",
        "nul-flood": _APPENDS,
        "invalid-utf8": _APPENDS,
    },
)
def _usage_sink(place: Place, tmp: Path) -> str:
    """The JSONL sink: a FIFO would block the app's first write; refused when it starts."""
    from regctl.client.usage_event import UsageError
    from regctl.client.usage_jsonl import JsonlSink

    path = tmp / "usage.jsonl"
    place(path)
    return refused(UsageError, lambda: JsonlSink(path, flush_interval=0).close())


@surface("client.secret-file", "file", "regctl.client.secrets")
def _secret_file(place: Place, tmp: Path) -> str:
    """A ``file:`` secret: a regular UTF-8 file of at most 64 KiB, or an error naming it."""
    from regctl.client import SecretError, resolve_secret

    path = tmp / "key"
    place(path)
    return refused(SecretError, lambda: resolve_secret(f"file:{path}"))
