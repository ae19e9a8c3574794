"""Hostile files against the fast YAML reader (regctl.pipeline.fastyaml).

A pull request decides what the registry holds. Files shaped to make a line-by-line
reader slow or deep (one 8 MB line of a million flow items, a key longer than libyaml
accepts, flow or block nesting far past the bound, an 8 MB block scalar) must each end
in a clean result within the usual bounds: no traceback, bounded memory, seconds not
minutes. Whatever the fast reader declines goes to libyaml and its guards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.security.security_helpers import assert_clean_failure, capped_cli

HEAD = "apiVersion: regctl/v1\nkind: Provider\nid: p\ndisplay_name: P\n"

HOSTILE = {
    # a million quoted items on one line: a reader slicing the rest of the line per item
    # would be quadratic
    "flow-items": HEAD + "labels: {}\ncredentials: [" + ", ".join(['"env:K"'] * 1_000_000) + "]\n",
    "flow-plain-items": HEAD + "credentials: [" + ", ".join(["env:K"] * 1_000_000) + "]\n",
    "long-key": HEAD + "k" * 5_000 + ": 1\n",
    "deep-flow": HEAD + "labels: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "deep-block": HEAD + "labels:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3_000)),
    "big-literal": HEAD + "description: |\n" + "  text line\n" * 700_000,
    "many-models": HEAD
    + "models:\n"
    + "".join(
        f"  - id: m{i}\n    display_name: M\n    capabilities: [chat]\n" for i in range(60_000)
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_ends_cleanly(tmp_path: Path, name: str) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "p.yaml").write_text(HOSTILE[name], encoding="utf-8")
    proc, seconds = capped_cli("validate", str(reg), cwd=tmp_path, timeout=120)
    if proc.returncode != 0:
        assert_clean_failure(proc, 1)
    assert seconds < 60, f"{name}: {seconds:.1f} s"
