"""A standard validator (check-jsonschema) with the committed schema, as an editor uses it.

It must accept every valid file and, on the invalid cases a schema alone can judge,
fail on the same field `regctl validate` names (the schema uses if/then on `kind`, so
a typo inside a Provider is not reported against every other kind).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, ROOT, require_binary, run_cli

from regctl.authoring.init import init_project

SCHEMA = ROOT / "schemas" / "registry.schema.json"
CASES = ROOT / "tests" / "cases"


def check_jsonschema(*files: Path) -> tuple[int, list[str]]:
    """Exit code and the errors as dotted field paths (``models[0].limits.contxt_window``)."""
    if importlib.util.find_spec("check_jsonschema"):
        cmd = [sys.executable, "-m", "check_jsonschema"]
    else:
        cmd = [require_binary("check-jsonschema")]
    args = ["-o", "json", "--schemafile", str(SCHEMA), *map(str, files)]
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout)
    paths = []
    for err in report.get("errors", []):
        path = err["path"].removeprefix("$").removeprefix(".")
        named = re.search(
            r"\('([^']+)' was unexpected\)|^'([^']+)' is a required property", err["message"]
        )
        if named:
            leaf = named.group(1) or named.group(2)
            path = f"{path}.{leaf}" if path else leaf
        paths.append(path)
    return proc.returncode, paths


def test_valid_files_pass(tmp_path: Path) -> None:
    init_project(tmp_path)
    files = [
        *sorted(EXAMPLE.rglob("*.yaml")),
        *sorted((tmp_path / "registry").rglob("*.yaml")),
        *sorted((CASES / "valid").rglob("*.yaml")),
    ]
    code, errors = check_jsonschema(*files)
    assert code == 0 and not errors, errors


#: Invalid cases whose error a schema alone can see, with the field both must name.
SCHEMA_CASES = {
    "schema-missing-field": "models[0].display_name",
    "schema-out-of-range": "defaults.temperature",
    "schema-wrong-type": "models[0].limits.context_window",
    "unknown-field": "models[0].pricing.ouput_per_mtok",
    "unknown-kind": "kind",
    "unknown-kind-apiversion": "apiVersion",
}


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_agrees_with_regctl_validate_on_schema_cases(case: str) -> None:
    expected = SCHEMA_CASES[case]
    rule, where = (CASES / "invalid" / case / "expect.txt").read_text().split()
    proc = run_cli("validate", "--format", "json", str(CASES / "invalid" / case))
    assert proc.returncode == 1
    (problem,) = json.loads(proc.stdout)["problems"]
    leaf = re.split(r"[.\[]", expected)[-1]
    assert problem["rule"] == rule and leaf in problem["message"]
    code, paths = check_jsonschema(CASES / "invalid" / case / where.split(":")[0])
    assert code == 1
    assert expected in paths, paths


def test_a_typo_deep_in_a_provider_names_that_field(tmp_path: Path) -> None:
    doc = tmp_path / "registry" / "providers" / "acme.yaml"
    doc.parent.mkdir(parents=True)
    doc.write_text(
        "apiVersion: regctl/v1\nkind: Provider\nid: acme\ndisplay_name: Acme\n"
        "credentials: [env:ACME_KEY]\nmodels:\n"
        "  - id: m1\n    display_name: M1\n    capabilities: [chat]\n"
        "    released: 2024-05-13\n    limits: {contxt_window: 5}\n"
    )
    code, paths = check_jsonschema(doc)
    assert code == 1 and paths == ["models[0].limits.contxt_window"], paths
    proc = run_cli("validate", "--registry", str(tmp_path / "registry"))
    assert "unknown field 'contxt_window' in models[0].limits" in proc.stdout
