"""The vendored models.dev snapshot (tests/data/modelsdev/): the real importer on real
files in every fresh clone, through the CLI as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from tests.conftest import ROOT, run_cli

SNAPSHOT = ROOT / "tests" / "data" / "modelsdev"
VARS = [
    "--var", "CLOUDFLARE_ACCOUNT_ID=acme", "--var", "DATABRICKS_HOST=acme.example",
    "--var", "SNOWFLAKE_ACCOUNT=acme", "--var", "AZURE_RESOURCE_NAME=acme",
    "--var", "AZURE_COGNITIVE_SERVICES_RESOURCE_NAME=acme",
]  # fmt: skip


def test_snapshot_carries_its_license_and_source() -> None:
    assert "MIT License" in (SNAPSHOT / "LICENSE").read_text()
    assert re.search(r"commit [0-9a-f]{40}", (SNAPSHOT / "SOURCE.md").read_text())
    providers = sorted(p.name for p in (SNAPSHOT / "providers").iterdir())
    assert len(providers) == 12


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("md")
    (out / ".git").mkdir()
    proc = run_cli(
        "import", "modelsdev", str(SNAPSHOT), "-o", "registry", *VARS,
        "--report", "report.json", cwd=out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out, json.loads((out / "report.json").read_text())


def test_imports_every_provider_and_reports_the_broken_links(imported) -> None:
    _, report = imported
    assert report["providers"] == 12 and report["models"] == 64
    assert report["skipped_by_reason"] == {"broken-link": 4}


def test_labs_are_inherited_and_placeholders_filled(imported) -> None:
    out, _ = imported
    databricks = yaml.safe_load((out / "registry/providers/databricks.yaml").read_text())
    haiku = next(m for m in databricks["models"] if m["id"] == "databricks-claude-haiku-4-5")
    # the provider file names only the base model and a price; the lab gives the rest
    assert haiku["released"] and haiku["limits"]["context_window"] > 0
    assert databricks["base_url"] == "https://acme.example/ai-gateway/mlflow/v1"


def test_the_result_validates_compiles_and_its_modelines_resolve(imported) -> None:
    out, _ = imported
    proc = run_cli("validate", cwd=out)
    assert proc.returncode == 0 and "no problems" in proc.stdout, proc.stdout + proc.stderr
    assert run_cli("compile", "-o", "lock.json", cwd=out).returncode == 0
    for path in (out / "registry").rglob("*.yaml"):
        line = path.read_text().splitlines()[0]
        ref = line.removeprefix("# yaml-language-server: $schema=")
        assert ref != line and (path.parent / ref).resolve().is_file(), path


def test_without_vars_the_placeholder_providers_are_left_out(tmp_path: Path) -> None:
    proc = run_cli(
        "import", "modelsdev", str(SNAPSHOT), "-o", str(tmp_path / "r"),
        "--report", str(tmp_path / "rep.json"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    reasons = json.loads((tmp_path / "rep.json").read_text())["skipped_by_reason"]
    assert reasons["base-url-placeholder"] == 5


def test_an_explicit_schema_path_resolves_from_each_file(tmp_path: Path) -> None:
    schema = tmp_path / "editor" / "regctl.json"
    out = tmp_path / "deep" / "registry"
    proc = run_cli(
        "import", "modelsdev", str(SNAPSHOT), "-o", str(out), *VARS,
        "--schema", "editor/regctl.json", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    schema.parent.mkdir()
    schema.write_text("{}")
    for path in (out / "registry.yaml", out / "providers" / "openai.yaml"):
        ref = path.read_text().splitlines()[0].split("$schema=")[1]
        assert (path.parent / ref).resolve() == schema.resolve()
    assert not (tmp_path / "deep" / "schemas").exists()  # an explicit schema: nothing written
