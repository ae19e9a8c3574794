"""`regctl.client` is standard library only, and keeps its slower stdlib imports lazy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from client_fixtures import base_doc, write_manifest

FORBIDDEN = ["pydantic", "yaml", "jinja2", "httpx", "click", "deepdiff"]
LAZY = ["urllib.request", "decimal", "importlib.metadata", "logging", "http.client"]

_SCRIPT = """
import json, sys
baseline = set(sys.modules)
from regctl.client import Registry
reg = Registry.load(sys.argv[1])
reg.active_model("openai", "chat")
reg.resolve("chat").api_key(personal="k")
reg.models()
after_lookups = set(sys.modules)
reg.cost("openai/gpt-4o", 1, 1)
print(json.dumps({"baseline": sorted(baseline), "lookups": sorted(after_lookups),
                  "cost": sorted(sys.modules)}))
"""


def test_client_imports_no_authoring_dependency(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    mods = json.loads(proc.stdout)
    loaded = set(mods["cost"])
    for name in FORBIDDEN:
        assert not any(m == name or m.startswith(name + ".") for m in loaded), name
    third_party = {m.split(".")[0] for m in set(mods["lookups"]) - set(mods["baseline"])}
    assert third_party <= set(sys.stdlib_module_names) | {"regctl"}, third_party
    regctl_mods = {m for m in mods["lookups"] if m.startswith("regctl")}
    # The client's own modules, the shared base and the I/O layer: nothing of the pipeline.
    allowed = {"regctl", "regctl.base", "regctl.io", "regctl.client"}
    others = {m for m in regctl_mods if m not in allowed}
    assert {
        m for m in others if not m.startswith(("regctl.client.", "regctl.base.", "regctl.io."))
    } == set()
    # the digest is checked on load from the file's own layout; canonical's encoder is the
    # slow path's (tests/client/test_client_verify.py)
    assert "regctl.client._verify" in regctl_mods
    new = set(mods["lookups"]) - set(mods["baseline"])
    for name in LAZY:
        assert name not in new, f"{name} imported by a file load and lookups"
    assert "decimal" in set(mods["cost"])


_LOAD_ONLY = """
import json, sys
from regctl.client import Registry
Registry.load(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""
# What a start-up that loads a manifest does not pay for (issue 26): dates (resolution
# imports them), hashlib's table of algorithms (OpenSSL's sha256 is used directly), the
# did-you-mean helper (errors only), gzip (gzip data only), the canonical encoder (a
# manifest that is not in the file layout only).
NOT_ON_LOAD = [
    "datetime",
    "hashlib",
    "regctl.base.suggest",
    "regctl.io.gz",
    "regctl.base.canonical",
]


def test_loading_a_manifest_leaves_the_rest_lazy(tmp_path: Path) -> None:
    body = base_doc()  # without its in-string '": ' (that one takes the slow path)
    body["models"]["anthropic/claude-3-5-sonnet"]["description"] = "Strong coder"
    path = write_manifest(tmp_path / "m.json", body)
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD_ONLY, str(path)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout))
    assert "regctl.client._verify" in loaded
    assert [name for name in NOT_ON_LOAD if name in loaded] == []
