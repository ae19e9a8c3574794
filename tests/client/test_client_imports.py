"""`regctl.client` is standard library only, and keeps its slower stdlib imports lazy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from client_fixtures import write_manifest

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
    assert "regctl.base.canonical" in regctl_mods  # the digest is checked on load
    new = set(mods["lookups"]) - set(mods["baseline"])
    for name in LAZY:
        assert name not in new, f"{name} imported by a file load and lookups"
    assert "decimal" in set(mods["cost"])
