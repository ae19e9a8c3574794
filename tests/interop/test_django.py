"""Django dumpdata import: keys never written, one active model per provider+capability."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from regctl.interop.django import import_django, import_rows
from regctl.pipeline.compile import compile_registry

FIXTURE = Path(__file__).parent / "data" / "django_dump.json"
KEYS = [
    r["fields"]["api_key"]
    for r in json.loads(FIXTURE.read_text())
    if r["model"] == "ai.aiprovider" and r["fields"]["api_key"]
]
AS_OF = dt.date(2025, 6, 1)


def _everything(out: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.is_file())


def test_cli_never_writes_or_prints_a_key(tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    rep = tmp_path / "report.json"
    proc = cli("import", "django", str(FIXTURE), "-o", str(out), "-v", "--report", str(rep))
    assert proc.returncode == 0, proc.stderr
    assert len(KEYS) == 4
    written = _everything(out) + proc.stdout + proc.stderr + rep.read_text()
    for key in KEYS:
        assert key not in written
        assert key[:12] not in written  # not even a prefix of it
    # The command says which variables to set instead.
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY"):
        assert var in proc.stdout
    # Every source row is accounted for, in the text and in the JSON report.
    report = json.loads(rep.read_text())
    assert len(report["rows"]) == len(json.loads(FIXTURE.read_text()))
    assert "ai.aimodel:61: dropped (no capability)" in proc.stdout
    openai = yaml.safe_load((out / "providers/openai.yaml").read_text())
    assert openai["credentials"] == ["env:OPENAI_API_KEY"]


def test_output_validates_and_compiles_with_one_active_per_capability(tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    assert cli("import", "django", str(FIXTURE), "-o", str(out)).returncode == 0
    compiled = compile_registry(out)
    assert [p for p in compiled.problems if p.severity.value == "error"] == []
    # The warnings are the truth about the old data, and the report said so first.
    assert {p.rule for p in compiled.problems} <= {"template-pin", "no-active-model"}
    assert compiled.manifest is not None
    active = compiled.manifest["active"]
    # The seed's rule: the is_default model, else the newest created_at, else the highest pk.
    assert active["openai"]["chat"] == "openai/gpt-4o"
    assert active["openai"]["vision"] == "openai/gpt-4o"
    assert active["anthropic"]["chat"] == "anthropic/claude-3-haiku-20240307"  # pk 22 > 20
    assert active["groq"]["chat"] == "groq/llama3-70b-8192"
    assert "local-vllm" not in active  # the provider was inactive: imported disabled
    assert compiled.manifest["providers"]["local-vllm"]["enabled"] is False


def test_mapping_and_report() -> None:
    result = import_django(FIXTURE, as_of=AS_OF)
    report = result.report
    by_id = {p["id"]: p for p in result.providers}
    openai = {m["id"]: m for m in by_id["openai"]["models"]}
    gpt4o = openai["gpt-4o"]
    assert gpt4o["pricing"] == {"input_per_mtok": 2.5, "output_per_mtok": 10, "currency": "USD"}
    assert gpt4o["limits"] == {"context_window": 128000, "max_output_tokens": 16384}
    assert gpt4o["supports"] == {"system_prompt": True, "streaming": True}
    assert gpt4o["active"] is True  # is_default: keeps every capability over newer models
    assert openai["gpt-4o-mini"]["active"] is False
    assert openai["gpt-3.5-turbo-0613"]["active"] is False  # deprecated 2024-09-13
    assert by_id["openai"]["defaults"] == {"temperature": 0.7, "max_tokens": 1024}
    assert by_id["anthropic"]["base_url"] == "https://api.anthropic.com"
    assert by_id["groq"]["base_url"] == "https://api.groq.com/openai/v1"
    assert by_id["local-vllm"]["api"] == "openai-compatible"
    rows = {r.row: (r.status, r.target) for r in report.rows}
    assert rows["ai.aimodel:10"] == ("imported", "openai/gpt-4o")
    assert {r for r, (status, _) in rows.items() if status == "dropped"} == {
        "ai.aiprovider:5", "ai.aimodel:50", "ai.aimodel:60", "ai.aimodel:61",
        "core.prompttemplate:3",
    }  # fmt: skip
    # Capabilities keep the seed's names, so the app's queries keep working.
    assert "text" in result.registry["capabilities"]
    assert report.env_vars["OPENAI_API_KEY"] == "openai: set it to the key stored in Django"
    mini = [e for e in report.notes if e.path == "ai.aimodel:11" and e.reason == "single-active"]
    assert (
        mini[0].detail == "openai/gpt-4o-mini not active for chat: openai/gpt-4o wins (is_default)"
    )
    assert report.dropped() == 5 + len(report.losses)


def test_prompt_templates_are_imported(tmp_path: Path, cli) -> None:
    result = import_django(FIXTURE, as_of=AS_OF)
    templates = {t["id"]: t for t in result.templates}
    assert sorted(templates) == ["classify-ticket", "mini-pin", "orphan", "summarize"]
    summarize = templates["summarize"]
    # Pinned to gpt-4o for capability 'text', which gpt-4o lacks, with no default provider
    # to fall back on: the pin could never serve in regctl, so it is dropped and reported.
    assert "model" not in summarize and summarize["capability"] == "text"
    losses = {(e.path, e.reason) for e in result.report.losses}
    assert ("core.prompttemplate:1", "pin-unservable") in losses
    assert summarize["variables"] == {
        "audience": {"default": "a busy engineer"},
        "text": {"required": True, "description": "The text"},
    }
    assert summarize["params"] == {"temperature": 0.2, "max_tokens": 300}
    classify = templates["classify-ticket"]
    assert "model" not in classify and classify["capability"] == "chat"
    assert classify["variables"] == {"lang": {"required": True}, "ticket": {"required": True}}
    assert templates["mini-pin"]["capability"] == "chat"  # the seed's default capability
    out = tmp_path / "reg"
    assert cli("import", "django", str(FIXTURE), "-o", str(out)).returncode == 0
    doc = yaml.safe_load((out / "prompts/summarize.yaml").read_text())
    assert doc["kind"] == "PromptTemplate" and doc["id"] == "summarize"
    assert doc["system"] == "You write summaries for {{ audience }}."  # Jinja style kept


def test_bad_fixture_is_one_line_error(tmp_path: Path, cli) -> None:
    bad = tmp_path / "dump.json"
    bad.write_text('{"not": "a list"}')
    proc = cli("import", "django", str(bad), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


# A provider row (either seed) -> (id, wire protocol, base URL): the endpoint decides first.
ENDPOINTS = [
    ({"name": "anthropic", "base_url": "https://api.anthropic.com/v1"},
     ("anthropic", "anthropic", "https://api.anthropic.com")),  # the SDKs add /v1
    ({"name": "Proxy", "slug": "claude-proxy", "provider_type": "anthropic",
      "base_url": "https://llm.internal.example/anthropic/v1/"},
     ("claude-proxy", "anthropic", "https://llm.internal.example/anthropic")),
    ({"name": "Google Gemini", "slug": "gemini", "provider_type": "google",
      "base_url": "https://generativelanguage.googleapis.com/v1beta/openai/"},
     ("gemini", "openai-compatible", "https://generativelanguage.googleapis.com/v1beta/openai")),
    ({"name": "Google Gemini", "base_url": "https://generativelanguage.googleapis.com/v1beta"},
     ("google-gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta")),
    ({"name": "Google Gemini"}, ("google-gemini", "gemini", None)),  # regctl's default URL
    ({"name": "OpenRouter", "slug": "openrouter", "provider_type": "openrouter"},
     ("openrouter", "openai-compatible", "https://openrouter.ai/api/v1")),
    ({"name": "Azure", "slug": "azure", "provider_type": "azure",
      "base_url": "https://acme.openai.azure.com/"},
     ("azure", "azure-openai", "https://acme.openai.azure.com")),
    ({"name": "Local", "slug": "local", "provider_type": "openai",
      "base_url": "http://127.0.0.1:8000/v1"},
     ("local", "openai-compatible", "http://127.0.0.1:8000/v1")),  # not OpenAI's own host
    ({"name": "openai", "base_url": "https://api.openai.com/v1"},
     ("openai", "openai", "https://api.openai.com/v1")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "want"), ENDPOINTS, ids=[w[0] + "-" + w[1] for _, w in ENDPOINTS]
)
def test_provider_protocol_and_base_url(fields: dict[str, str], want: tuple[str, ...]) -> None:
    result = import_rows([{"model": "ai.aiprovider", "pk": 1, "fields": fields}], source="t")
    (p,) = result.providers
    assert (p["id"], p["api"], p.get("base_url")) == want
