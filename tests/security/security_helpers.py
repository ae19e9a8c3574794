"""Helpers for the security tests: memory-capped runs of the CLI and of Python snippets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

GIB = 1024**3

_CAPPED = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
sys.argv = ["regctl", *sys.argv[1:]]
runpy.run_module("regctl", run_name="__main__")
"""


def capped_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, cap: int = GIB, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``regctl ARGS`` with its address space capped (1 GiB); return it and its wall time."""
    full = dict(os.environ)
    full.pop("REGCTL_DEBUG", None)
    full.update(env or {})
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _CAPPED.format(cap=cap), *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, time.monotonic() - start


def capped_python(
    code: str, *args: str, cwd: Path, cap: int = GIB, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a Python snippet with its address space capped; return it and its wall time."""
    script = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n" + code
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, time.monotonic() - start


def assert_clean_failure(proc: subprocess.CompletedProcess[str], code: int) -> None:
    """A documented exit code and one clear message: no traceback, no internal error."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    for bad in ("Traceback", "internal error", "MemoryError", "RecursionError"):
        assert bad not in proc.stderr and bad not in proc.stdout, proc.stderr[-2000:]
