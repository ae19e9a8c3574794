"""serve's OpenAPI document is part of the contract: Schemathesis (`st run URL/openapi.json
--checks all`) against a real `regctl serve` finds no failure. It sends what the document
allows and what it forbids, every method on every route, and checks statuses, bodies,
headers (405 with `Allow`), and that booleans and the need/param grammars are enforced."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import require_binary
from tests.serve.serve_fixtures import Server


def test_schemathesis_all_checks_pass_against_a_real_server(
    server: Server, tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    st = require_binary("st", hint="bash scripts/install-test-deps.sh (PyPI schemathesis)")
    done = subprocess.run(
        # A fixed seed: the same cases on every run (a failure reproduces); two workers.
        [
            st,
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--seed",
            "21",
            "--workers",
            "2",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", out)
    assert generated is not None, out[-3000:]
    # Every route was exercised, with hundreds of cases, and every one passed.
    assert int(generated.group(1)) >= 300 and generated.group(1) == generated.group(2), out[-3000:]
    assert "Tested: 9" in out, out[-3000:]
