"""Helpers for the security tests: memory-capped runs of the CLI and of Python snippets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import cpuwait

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
    """Run ``regctl ARGS`` with its address space capped (1 GiB); return it and its
    running time (:func:`_running`)."""
    full = dict(os.environ)
    full.pop("REGCTL_DEBUG", None)
    full.update(env or {})
    argv = [sys.executable, "-c", _CAPPED.format(cap=cap), *args]
    return _running(cpuwait.run(argv, cwd=cwd, env=full, timeout=timeout))


def capped_python(
    code: str, *args: str, cwd: Path, cap: int = GIB, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a Python snippet with its address space capped; return it and its running
    time (:func:`_running`)."""
    script = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n" + code
    return _running(cpuwait.run([sys.executable, "-c", script, *args], cwd=cwd, timeout=timeout))


def _running(
    measured: tuple[subprocess.CompletedProcess[str], float, float],
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The process and its wall time less what it waited for a CPU (tests/cpuwait.py): a
    time bound on it holds on a busy shared machine, and a hang (asleep) still fails it."""
    proc, wall, waited = measured
    return proc, wall - waited


def assert_clean_failure(proc: subprocess.CompletedProcess[str], code: int) -> None:
    """A documented exit code and one clear message: no traceback, no internal error."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    for bad in ("Traceback", "internal error", "MemoryError", "RecursionError"):
        assert bad not in proc.stderr and bad not in proc.stdout, proc.stderr[-2000:]
