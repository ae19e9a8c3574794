"""Progress appears on a real terminal (a pseudo-terminal), and not in a pipe or with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from gen_registry import generate  # noqa: E402


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prog") / "registry"
    generate(root, 4, 400, seed=3)
    subprocess.run([sys.executable, "-m", "regctl", "fmt", str(root)], check=True)
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(REGCTL_PROGRESS_DELAY="0", TERM="xterm", **extra)  # draw at once
    return env


def _on_tty(args: list[str], env: dict[str, str]) -> str:
    """Run regctl with stderr on a pseudo-terminal; return what the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "regctl", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args", [["validate", "{r}"], ["fmt", "--check", "{r}"], ["ls", "models", "{r}"]]
)
def test_progress_on_a_terminal(registry: Path, args: list[str]) -> None:
    shown = _on_tty([a.format(r=registry) for a in args], _env())
    assert "files read" in shown or "files checked" in shown
    assert "\x1b[2m" in shown  # styled: NO_COLOR is not set


def test_validate_counts_models_checked(registry: Path) -> None:
    shown = _on_tty(["validate", str(registry)], _env())
    assert "models checked" in shown


def test_no_color_keeps_progress_plain(registry: Path) -> None:
    shown = _on_tty(["validate", str(registry)], _env(NO_COLOR="1"))
    assert "files read" in shown and "\x1b[" not in shown


def test_quiet_shows_nothing_on_a_terminal(registry: Path) -> None:
    shown = _on_tty(["--quiet", "validate", str(registry)], _env())
    assert "files read" not in shown and "\r" not in shown


def test_nothing_when_piped(registry: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "regctl", "validate", str(registry)],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 0
    assert "\r" not in proc.stderr and "files read" not in proc.stderr
