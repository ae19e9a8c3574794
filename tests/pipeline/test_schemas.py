"""The committed JSON Schemas match the models, and real documents validate against them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import yaml
from tests.conftest import EXAMPLE, ROOT

from regctl.docs.jsonschemas import render_all
from regctl.pipeline.compile import compile_registry

SCHEMAS = ROOT / "schemas"


def test_committed_schemas_are_in_sync() -> None:
    for name, text in render_all().items():
        assert (SCHEMAS / name).read_text() == text, f"run 'regctl schema' ({name} drifted)"


def _json_ready(value: object) -> object:
    """YAML dates become ISO strings, as an editor's YAML-to-JSON view shows them."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_example_documents_validate_against_the_registry_schema() -> None:
    schema = json.loads((SCHEMAS / "registry.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    count = 0
    for path in sorted(EXAMPLE.rglob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=")
        for doc in yaml.safe_load_all(path.read_text()):
            errors = list(validator.iter_errors(_json_ready(doc)))
            assert not errors, f"{path}: {errors[0].message}"
            count += 1
    assert count >= 7


def test_registry_schema_rejects_a_typo() -> None:
    schema = json.loads((SCHEMAS / "registry.schema.json").read_text())
    bad = {
        "apiVersion": "regctl/v1",
        "kind": "Provider",
        "id": "x",
        "display_name": "X",
        "base_urll": "https://x",
    }
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_compiled_manifests_validate_against_the_manifest_schema() -> None:
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    for env in (None, "dev", "prod"):
        manifest = compile_registry(EXAMPLE, env=env, as_of=dt.date(2026, 11, 23)).manifest
        jsonschema.validate(manifest, schema, cls=jsonschema.Draft202012Validator)


def test_schema_command_check(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    assert run_cli("schema", "--check", cwd=ROOT).returncode == 0
    res = run_cli("schema", "-o", str(tmp_path), "--check")
    assert res.returncode == 1 and "stale" in res.stderr
    assert run_cli("schema", "-o", str(tmp_path)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.schema.json",
        "registry.schema.json",
    ]
