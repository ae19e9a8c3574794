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
    allowed = {"regctl", "regctl.canonical", "regctl.errors", "regctl.suggest", "regctl.safeio"}
    assert regctl_mods <= allowed | {m for m in regctl_mods if m.startswith("regctl.client")}
    new = set(mods["lookups"]) - set(mods["baseline"])
    for name in LAZY:
        assert name not in new, f"{name} imported by a file load and lookups"
    assert "decimal" in set(mods["cost"])
