"""The JavaScript reader (clients/js) agrees with the Python client: `node --test` over
fixtures the Python side compiles now (so the digest rules are whatever Python's are)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT, require_binary
from tests.js.make_fixtures import build


def test_node_reader_matches_the_python_client(tmp_path: Path) -> None:
    node = require_binary("node")
    cases = build(tmp_path / "fixtures")
    assert {c["verdict"] for c in cases["manifests"]} >= {
        "ok", "DigestMismatch", "InvalidManifest", "UnsupportedVersion",
    }  # fmt: skip
    done = subprocess.run(
        # Files, not the folder: how node --test expands a folder changed across versions.
        [node, "--test", *sorted(str(p) for p in (ROOT / "clients/js/test").glob("*.test.js"))],
        cwd=ROOT / "clients" / "js",
        env={**os.environ, "REGCTL_JS_FIXTURES": str(tmp_path / "fixtures")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith("# "))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in summary and "# pass 0" not in summary, summary
