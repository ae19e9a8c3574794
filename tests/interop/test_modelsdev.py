"""models.dev import: mapping rules on a small hand-made checkout, then the real corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from tests.conftest import modelsdev_corpus, write_tree

from regctl.interop.modelsdev import import_modelsdev
from regctl.interop.writer import write_registry
from regctl.pipeline.compile import compile_registry

LAB = """name = "Lab Model X"
family = "labx"
release_date = "2025-03"
reasoning = true
tool_call = true
[limit]
context = 200_000
input = 180_000
output = 64_000
[modalities]
input = ["text", "image"]
output = ["text"]
[cost]
input = 3.0
output = 15.0
tiers = [{ input = 6.0, output = 22.5 }]
[[benchmarks]]
name = "bench"
score = 1
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = write_tree(
        tmp_path / "md",
        {
            "models/labx/x-1.toml": LAB,
            "providers/acme/provider.toml": (
                'name = "Acme AI"\nenv = ["ACME_API_KEY", "ACME_REGION"]\n'
                'npm = "@ai-sdk/openai-compatible"\ndoc = "https://acme.example/docs"\n'
                'api = "https://api.acme.example/v1/"\n'
            ),
            # Inherits the lab file, overrides the price, omits the tiers and input limit.
            "providers/acme/models/x-1.toml": (
                'base_model = "labx/x-1"\nbase_model_omit = ["cost.tiers", "limit.input"]\n'
                "[cost]\ninput = 2.5\noutput = 12\ncache_read = 0.25\n"
            ),
            "providers/acme/models/@cf/meta/llama-3-8b.toml": (
                'name = "Llama 3 8B"\n[limit]\ncontext = 8192\noutput = 16384\n'
                '[modalities]\ninput = ["text"]\noutput = ["text"]\n'
            ),
            "providers/acme/models/embed-small.toml": (
                'name = "Embed small"\nfamily = "text-embedding"\n'
                "[cost]\ninput = 0.02\noutput = 0\n"
                '[modalities]\ninput = ["text"]\noutput = ["text"]\n'
            ),
            "providers/acme/models/painter.toml": (
                'name = "Painter"\nstatus = "deprecated"\nlast_updated = "2025-01-31"\n'
                '[modalities]\ninput = ["text"]\noutput = ["image"]\n'
            ),
            "providers/acme/models/nothing.toml": (
                'name = "Nothing"\n[modalities]\ninput = ["pdf"]\noutput = ["pdf"]\n'
            ),
            "providers/acme/models/bad.toml": "name = = broken\nmore\n",
            # Symlinks as git writes them without symlink support: the target path as text.
            "providers/acme/models/alias.toml": "../../acme/models/embed-small.toml",
            "providers/acme/models/gone.toml": "../../other/models/gone.toml",
            "providers/acme/models/orphan.toml": 'base_model = "labx/missing"\n',
            "providers/cloud/provider.toml": (
                'name = "Cloud"\nenv = ["CLOUD_ACCOUNT_ID", "CLOUD_API_KEY"]\n'
                'npm = "@ai-sdk/openai-compatible"\ndoc = "https://c.example"\n'
                'api = "https://api.cloud.example/accounts/${CLOUD_ACCOUNT_ID}/v1"\n'
            ),
            "providers/cloud/models/m.toml": 'name = "M"\n',
        },
    )
    os.symlink("does-not-exist.toml", root / "providers/acme/models/dangling.toml")
    return root


def _models(result, pid: str) -> dict[str, dict]:
    prov = next(p for p in result.providers if p["id"] == pid)
    return {m["id"]: m for m in prov["models"]}


def test_provider_mapping(checkout: Path) -> None:
    result = import_modelsdev(checkout)
    acme = next(p for p in result.providers if p["id"] == "acme")
    assert acme["api"] == "openai-compatible"
    assert acme["base_url"] == "https://api.acme.example/v1"
    assert acme["credentials"] == ["env:ACME_API_KEY"]  # ACME_REGION configures, not a key
    assert acme["labels"]["settings-env"] == "ACME_REGION"
    assert acme["docs_url"] == "https://acme.example/docs"
    assert result.report.env_vars == {"ACME_API_KEY": "acme"}


def test_inheritance_and_field_mapping(checkout: Path) -> None:
    models = _models(import_modelsdev(checkout), "acme")
    x = models["x-1"]
    assert x["display_name"] == "Lab Model X"
    assert x["capabilities"] == ["chat", "vision", "tools", "reasoning"]
    assert x["active"] is False
    assert x["limits"] == {"context_window": 200000, "max_output_tokens": 64000}
    assert x["pricing"] == {
        "input_per_mtok": 2.5, "output_per_mtok": 12, "cached_input_per_mtok": 0.25,
        "currency": "USD",
    }  # fmt: skip
    assert str(x["released"]) == "2025-03-01"
    assert models["embed-small"]["capabilities"] == ["embedding"]
    assert models["alias"]["display_name"] == "Embed small"  # the text symlink was followed
    assert models["painter"]["capabilities"] == ["image"]
    assert str(models["painter"]["deprecated"]) == "2025-01-31"


def test_invalid_ids_keep_upstream_and_bad_limits_are_dropped(checkout: Path) -> None:
    result = import_modelsdev(checkout)
    llama = _models(result, "acme")["cf/meta/llama-3-8b"]
    assert llama["upstream_id"] == "@cf/meta/llama-3-8b"
    assert llama["limits"] == {"context_window": 8192}  # output 16384 > context: dropped
    reasons = result.report.notes_by_reason()
    assert reasons["output-above-context"] == 1
    assert reasons["id-rewritten"] == 1


def test_unmappable_files_are_reported_with_path_and_reason(checkout: Path) -> None:
    report = import_modelsdev(checkout).report
    got = {(e.path, e.reason) for e in report.skipped}
    assert got == {
        ("providers/acme/models/bad.toml", "toml-syntax"),
        ("providers/acme/models/gone.toml", "broken-link"),
        ("providers/acme/models/dangling.toml", "broken-link"),
        ("providers/acme/models/orphan.toml", "missing-base-model"),
        ("providers/acme/models/nothing.toml", "no-capabilities"),
        ("providers/cloud/provider.toml", "base-url-placeholder"),
        ("providers/cloud/models/m.toml", "provider-skipped"),
    }
    assert report.skipped_by_reason()["broken-link"] == 2
    assert report.models == 5


def test_var_fills_url_placeholders(checkout: Path) -> None:
    result = import_modelsdev(checkout, variables={"CLOUD_ACCOUNT_ID": "team42"})
    cloud = next(p for p in result.providers if p["id"] == "cloud")
    assert cloud["base_url"] == "https://api.cloud.example/accounts/team42/v1"
    assert cloud["credentials"] == ["env:CLOUD_API_KEY"]


def test_written_registry_validates_and_compiles(checkout: Path, tmp_path: Path) -> None:
    result = import_modelsdev(checkout)
    out = tmp_path / "reg"
    write_registry(out, result.providers, result.registry)
    compiled = compile_registry(out)
    assert [str(p.message) for p in compiled.problems] == []
    assert compiled.manifest is not None
    assert "acme/x-1" in compiled.manifest["models"]
    assert compiled.manifest["active"] == {} or all(
        not v for v in compiled.manifest["active"].values()
    )


def test_cli_import_reports_and_writes(checkout: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    rep = tmp_path / "report.json"
    proc = cli("import", "modelsdev", str(checkout), "-o", str(out), "--report", str(rep))
    assert proc.returncode == 0, proc.stderr
    assert "imported 2 provider(s)" not in proc.stdout  # cloud is skipped without --var
    assert "imported 1 provider(s), 5 model(s)" in proc.stdout
    assert "broken-link" in proc.stdout and "providers/acme/models/gone.toml" in proc.stdout
    assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    data = json.loads(rep.read_text())
    assert data["skipped_by_reason"]["broken-link"] == 2
    doc = yaml.safe_load((out / "providers/acme.yaml").read_text())
    assert doc["kind"] == "Provider" and len(doc["models"]) == 5


class TestRealCorpus:
    """The whole real models.dev snapshot (147 providers, ~5,100 model files)."""

    @pytest.fixture(scope="class")
    @classmethod
    def imported(cls, tmp_path_factory: pytest.TempPathFactory):
        corpus = modelsdev_corpus()
        # Fill every URL placeholder so nothing is skipped for want of a --var.
        variables = {
            v: "example" for v in (
                "AZURE_RESOURCE_NAME", "AZURE_COGNITIVE_SERVICES_RESOURCE_NAME",
                "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_GATEWAY_ID", "DATABRICKS_HOST",
                "GOOGLE_VERTEX_LOCATION", "GOOGLE_VERTEX_PROJECT", "SNOWFLAKE_ACCOUNT",
            )
        }  # fmt: skip
        variables["NEON_AI_GATEWAY_BASE_URL"] = "https://neon.example"
        result = import_modelsdev(corpus, variables=variables)
        out = tmp_path_factory.mktemp("md") / "registry"
        write_registry(out, result.providers, result.registry)
        return result, compile_registry(out), corpus

    def test_report_accounts_for_every_file(self, imported) -> None:
        result, _, corpus = imported
        report = result.report
        files = sum(1 for _ in (corpus / "providers").rglob("*.toml")) - 147
        assert report.skipped_by_reason().get("broken-link") == 31
        model_skips = [e for e in report.skipped if "/models/" in e.path]
        assert report.models + len(model_skips) == files  # every model file is accounted for
        assert report.models > 5000
        # Only the three providers whose SDK package has no public endpoint are left out.
        assert {e.path for e in report.skipped if "/models/" not in e.path} == {
            "providers/gitlab/provider.toml", "providers/merge-gateway/provider.toml",
            "providers/sap-ai-core/provider.toml",
        }  # fmt: skip

    def test_validates_and_compiles_with_zero_problems(self, imported) -> None:
        _, compiled, _ = imported
        assert [f"{p.location} {p.rule} {p.message}" for p in compiled.problems] == []
        assert compiled.manifest is not None
        assert len(compiled.manifest["models"]) == 5140


def test_not_a_checkout_is_one_line_error(tmp_path: Path, cli) -> None:
    (tmp_path / "providers").mkdir()
    proc = cli("import", "modelsdev", str(tmp_path), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "not a models.dev checkout" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_to_mix_into_an_existing_registry(checkout: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    assert cli("import", "modelsdev", str(checkout), "-o", str(out)).returncode == 0
    again = cli("import", "modelsdev", str(checkout), "-o", str(out))
    assert again.returncode == 1 and "already holds YAML files" in again.stderr
    forced = cli("import", "modelsdev", str(checkout), "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
