"""LiteLLM proxy config export, checked by building a real ``litellm.Router`` from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from regctl.base.canonical import seal
from regctl.interop.litellm_export import export_litellm
from regctl.pipeline.compile import compile_registry

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"

PROVIDERS = {
    "providers/openai.yaml": """\
        apiVersion: regctl/v1
        kind: Provider
        id: openai
        display_name: OpenAI
        credentials: [env:OPENAI_API_KEY, env:OPENAI_API_KEY_FALLBACK]
        rate_limits: {rpm: 500, tpm: 30000}
        models:
          - id: gpt-4o
            display_name: GPT-4o
            capabilities: [chat, vision]
            active: true
            limits: {context_window: 128000, max_output_tokens: 16384}
            pricing: {input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25}
          - id: text-embedding-3-small
            display_name: Embedding 3 small
            capabilities: [embedding]
            active: true
            pricing: {input_per_mtok: 0.02, output_per_mtok: 0}
        """,
    "providers/groq.yaml": """\
        apiVersion: regctl/v1
        kind: Provider
        id: groq
        display_name: Groq
        api: openai-compatible
        base_url: https://api.groq.com/openai/v1
        credentials: [file:/run/secrets/groq, env:GROQ_API_KEY]
        labels: {litellm-provider: groq}
        models:
          - id: llama-3.1-70b
            upstream_id: llama-3.1-70b-versatile
            display_name: Llama 3.1 70B
            capabilities: [chat]
            active: true
            pricing: {input_per_mtok: 0.59, output_per_mtok: 0.79}
        """,
    "providers/anthropic.yaml": """\
        apiVersion: regctl/v1
        kind: Provider
        id: anthropic
        display_name: Anthropic
        api: anthropic
        credentials: [env:ANTHROPIC_API_KEY]
        models:
          - id: claude-3-5-sonnet
            upstream_id: claude-3-5-sonnet-20241022
            display_name: Claude 3.5 Sonnet
            capabilities: [chat, vision]
            active: true
        """,
    "providers/private.yaml": """\
        apiVersion: regctl/v1
        kind: Provider
        id: private
        display_name: Private
        api: openai-compatible
        base_url: https://llm.internal.example/v1
        allow_shared_credentials: false
        models:
          - id: m1
            display_name: M1
            capabilities: [code]
            active: true
        """,
    "registry.yaml": """\
        apiVersion: regctl/v1
        kind: Registry
        name: t
        defaults: {chat: openai, vision: openai, embedding: openai}
        fallbacks: {chat: [anthropic, groq], vision: [anthropic, groq]}
        """,
}


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    for rel, text in PROVIDERS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return root


def _manifest(root: Path) -> dict:
    compiled = compile_registry(root)
    assert compiled.manifest is not None, [str(p.message) for p in compiled.problems]
    return compiled.manifest


def test_config_shape(registry: Path) -> None:
    result = export_litellm(_manifest(registry))
    entries = {e["model_name"]: e for e in result.config["model_list"]}
    assert set(entries) == {
        "chat/openai", "vision/openai", "embedding/openai", "chat/anthropic",
        "vision/anthropic", "chat/groq", "code/private", "chat", "vision", "embedding",
        "code",  # the only provider with an active code model: no default needed
    }  # fmt: skip
    chat = entries["chat"]
    # openai's 500 rpm / 30000 tpm divided among its 6 deployments, not copied to each
    assert chat["litellm_params"] == {
        "model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY", "rpm": 83,
        "tpm": 5000,
    }  # fmt: skip
    openai = [e["litellm_params"] for e in result.config["model_list"]
              if e["model_info"]["regctl_model"].startswith("openai/")]  # fmt: skip
    assert len(openai) == 6
    assert sum(p["rpm"] for p in openai) == 500 and sum(p["tpm"] for p in openai) == 30000
    assert "rpm" not in entries["chat/groq"]["litellm_params"]  # groq sets no limit
    assert chat["model_info"]["input_cost_per_token"] == pytest.approx(2.5e-6)
    assert chat["model_info"]["cache_read_input_token_cost"] == pytest.approx(1.25e-6)
    assert chat["model_info"]["max_input_tokens"] == 128000
    groq = entries["chat/groq"]["litellm_params"]
    assert groq["model"] == "groq/llama-3.1-70b-versatile"  # label prefix + upstream id
    assert groq["api_base"] == "https://api.groq.com/openai/v1"
    assert groq["api_key"] == "os.environ/GROQ_API_KEY"
    assert entries["chat/anthropic"]["litellm_params"]["model"] == (
        "anthropic/claude-3-5-sonnet-20241022"
    )
    assert entries["embedding"]["model_info"]["mode"] == "embedding"
    assert "api_key" not in entries["code/private"]["litellm_params"]
    assert result.config["router_settings"]["fallbacks"] == [
        {"chat": ["chat/anthropic", "chat/groq"]}, {"vision": ["vision/anthropic"]},
    ]  # fmt: skip


def test_unexpressible_references_are_reported_without_their_value(registry: Path) -> None:
    warnings = export_litellm(_manifest(registry)).warnings
    text = "\n".join(warnings)
    assert "provider 'groq': file: credential cannot be expressed in LiteLLM" in text
    assert "/run/secrets/groq" not in text
    assert "env:OPENAI_API_KEY_FALLBACK (later in the chain) not used" in text
    assert "provider 'private' allows personal keys only" in text
    assert "fallback 'groq' for 'vision' left out: no active model" in text


def test_lock_file_input_checks_the_digest(registry: Path, tmp_path: Path, cli) -> None:
    lock = tmp_path / "manifest.lock.json"
    lock.write_text(json.dumps(_manifest(registry)))
    ok = cli("export", "litellm", str(lock))
    assert ok.returncode == 0, ok.stderr
    assert yaml.safe_load(ok.stdout)["model_list"]
    tampered = json.loads(lock.read_text())
    tampered["providers"]["openai"]["base_url"] = "https://evil.example/v1"
    lock.write_text(json.dumps(tampered))
    bad = cli("export", "litellm", str(lock))
    assert bad.returncode == 1 and "digest mismatch" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert seal(tampered)["digest"] != tampered["digest"]


ROUTER_SCRIPT = """
import json, sys, yaml
import litellm
cfg = yaml.safe_load(open(sys.argv[1]))
router = litellm.Router(model_list=cfg["model_list"], **cfg.get("router_settings", {}))
held = router.registry().all() if hasattr(router, "registry") else router.get_model_list()
print(json.dumps({
    "names": router.get_model_names(),
    "fallbacks": router.fallbacks,
    "deployments": [
        {"name": d["model_name"], "model": d["litellm_params"]["model"],
         "api_key": d["litellm_params"].get("api_key"),
         "api_base": d["litellm_params"].get("api_base"),
         "rpm": d["litellm_params"].get("rpm"), "info": d["model_info"]}
        for d in held
    ],
}))
"""


def test_real_litellm_router_loads_every_model_and_fallback(
    registry: Path, tmp_path: Path, cli
) -> None:
    out = tmp_path / "config.yaml"
    proc = cli("export", "litellm", str(registry), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    expected = yaml.safe_load(out.read_text())
    # The example registry's prod environment too, in the same LiteLLM process.
    out2 = tmp_path / "example.yaml"
    assert cli("export", "litellm", str(EXAMPLE), "--env", "prod", "-o", str(out2)).returncode == 0
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", OPENAI_API_KEY="test-openai",
               GROQ_API_KEY="test-groq", ANTHROPIC_API_KEY="test-anthropic")  # fmt: skip
    script = tmp_path / "router.py"
    script.write_text(ROUTER_SCRIPT)
    results = []
    for cfg in (out, out2):
        run = subprocess.run(
            [sys.executable, str(script), str(cfg)],
            env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
        results.append(json.loads(run.stdout.strip().splitlines()[-1]))
    got = results[0]
    assert sorted(got["names"]) == sorted(e["model_name"] for e in expected["model_list"])
    assert got["fallbacks"] == expected["router_settings"]["fallbacks"]
    deps = {d["name"]: d for d in got["deployments"]}
    assert deps["chat"]["api_key"] == "test-openai"  # os.environ/ resolved by LiteLLM itself
    assert deps["chat/groq"]["model"] == "groq/llama-3.1-70b-versatile"
    assert deps["chat/groq"]["api_base"] == "https://api.groq.com/openai/v1"
    openai = [d for d in got["deployments"] if d["info"]["regctl_model"].startswith("openai/")]
    assert sum(d["rpm"] for d in openai) == 500  # the router's total ceiling is the provider's
    assert deps["chat"]["info"]["input_cost_per_token"] == pytest.approx(2.5e-6)
    example_cfg = yaml.safe_load(out2.read_text())
    assert sorted(results[1]["names"]) == sorted(e["model_name"] for e in example_cfg["model_list"])
    assert results[1]["fallbacks"] == example_cfg["router_settings"]["fallbacks"]


def test_model_limit_is_shared_by_that_models_deployments(registry: Path) -> None:
    openai = registry / "providers/openai.yaml"
    openai.write_text(
        openai.read_text().replace(
            "    active: true\n    limits: {context_window: 128000",
            "    active: true\n    rate_limits: {rpm: 100}\n    limits: {context_window: 128000",
        )
    )
    manifest = _manifest(registry)
    assert manifest["models"]["openai/gpt-4o"]["rate_limits"] == {"rpm": 100}
    entries = export_litellm(manifest).config["model_list"]
    rpm = {e["model_name"]: e["litellm_params"]["rpm"] for e in entries if
           e["model_info"]["regctl_model"].startswith("openai/")}  # fmt: skip
    # gpt-4o serves chat/openai, vision/openai, chat, vision: 100 shared by the 4
    assert [rpm[n] for n in ("chat/openai", "vision/openai", "chat", "vision")] == [25] * 4
    assert rpm["embedding/openai"] + rpm["embedding"] <= 500 - 100
    assert sum(rpm.values()) <= 500
    # and the real router takes the config as written
    import litellm

    router = litellm.Router(model_list=entries)
    # Router.get_model_list is deprecated in the litellm the tests install; registry() is
    # its replacement (older releases lack it)
    held = router.registry().all() if hasattr(router, "registry") else router.get_model_list()
    got = {d["model_name"]: d["litellm_params"]["rpm"] for d in held
           if d["model_info"]["regctl_model"] == "openai/gpt-4o"}  # fmt: skip
    assert got == {"chat/openai": 25, "vision/openai": 25, "chat": 25, "vision": 25}
