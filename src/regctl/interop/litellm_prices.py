"""Import LiteLLM's price map (``model_prices_and_context_window.json``) into registry documents.

Each entry names its ``litellm_provider``; entries are grouped into one regctl
provider per LiteLLM provider. ``mode`` and the ``supports_*`` flags give the
capabilities, ``*_cost_per_token`` x 10^6 the per-million prices,
``max_input_tokens``/``max_output_tokens`` the limits and ``deprecation_date``
the ``deprecated`` date. The LiteLLM provider name is kept in the
``litellm-provider`` label so ``regctl export litellm`` can route to it again.

The price map carries no endpoints: the providers listed in :data:`PROVIDER_API`
get their public API; any other needs ``--base-url PROVIDER=URL`` and is
otherwise skipped and reported, with its entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError
from regctl.interop import common as c
from regctl.interop.modelsdev import ImportResult
from regctl.interop.report import ImportReport
from regctl.io import safeio

_OAI = "openai-compatible"
#: LiteLLM provider -> (regctl api, base URL or None for the protocol's default, key variable).
PROVIDER_API: dict[str, tuple[str, str | None, str | None]] = {
    "openai": ("openai", None, "OPENAI_API_KEY"),
    "text-completion-openai": ("openai", None, "OPENAI_API_KEY"),
    "chatgpt": ("openai", None, "OPENAI_API_KEY"),
    "anthropic": ("anthropic", None, "ANTHROPIC_API_KEY"),
    "gemini": ("gemini", None, "GEMINI_API_KEY"),
    "azure": ("azure-openai", None, "AZURE_API_KEY"),  # per-resource URL: --base-url azure=...
    "azure_text": ("azure-openai", None, "AZURE_API_KEY"),
    "bedrock": ("bedrock", None, None),
    "bedrock_converse": ("bedrock", None, None),
    "groq": (_OAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "mistral": (_OAI, "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "codestral": (_OAI, "https://codestral.mistral.ai/v1", "CODESTRAL_API_KEY"),
    "deepseek": (_OAI, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    "together_ai": (_OAI, "https://api.together.xyz/v1", "TOGETHERAI_API_KEY"),
    "fireworks_ai": (_OAI, "https://api.fireworks.ai/inference/v1", "FIREWORKS_AI_API_KEY"),
    "openrouter": (_OAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "xai": (_OAI, "https://api.x.ai/v1", "XAI_API_KEY"),
    "perplexity": (_OAI, "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY"),
    "cerebras": (_OAI, "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    "deepinfra": (_OAI, "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY"),
    "cohere": (_OAI, "https://api.cohere.ai/compatibility/v1", "COHERE_API_KEY"),
    "cohere_chat": (_OAI, "https://api.cohere.ai/compatibility/v1", "COHERE_API_KEY"),
    "nebius": (_OAI, "https://api.studio.nebius.com/v1", "NEBIUS_API_KEY"),
    "novita": (_OAI, "https://api.novita.ai/v3/openai", "NOVITA_API_KEY"),
    "sambanova": (_OAI, "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY"),
    "hyperbolic": (_OAI, "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY"),
    "lambda_ai": (_OAI, "https://api.lambda.ai/v1", "LAMBDA_API_KEY"),
    "moonshot": (_OAI, "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"),
    "dashscope": (
        _OAI, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"
    ),
    "zai": (_OAI, "https://api.z.ai/api/paas/v4", "ZAI_API_KEY"),
    "minimax": (_OAI, "https://api.minimax.io/v1", "MINIMAX_API_KEY"),
    "nscale": (_OAI, "https://inference.api.nscale.com/v1", "NSCALE_API_KEY"),
    "featherless_ai": (_OAI, "https://api.featherless.ai/v1", "FEATHERLESS_AI_API_KEY"),
    "friendliai": (_OAI, "https://api.friendli.ai/serverless/v1", "FRIENDLI_TOKEN"),
    "vercel_ai_gateway": (_OAI, "https://ai-gateway.vercel.sh/v1", "VERCEL_AI_GATEWAY_API_KEY"),
    "aihubmix": (_OAI, "https://aihubmix.com/v1", "AIHUBMIX_API_KEY"),
    "wandb": (_OAI, "https://api.inference.wandb.ai/v1", "WANDB_API_KEY"),
    "ovhcloud": (_OAI, "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", "OVHCLOUD_API_KEY"),
    "scaleway": (_OAI, "https://api.scaleway.ai/v1", "SCW_SECRET_KEY"),
    "voyage": (_OAI, "https://api.voyageai.com/v1", "VOYAGE_API_KEY"),
}  # fmt: skip

#: ``mode`` -> capabilities; modes absent here (search, ocr, ...) are not model capabilities.
MODE_CAPS: dict[str, list[str]] = {
    "chat": ["chat"],
    "responses": ["chat"],
    "completion": ["completion"],
    "embedding": ["embedding"],
    "image_generation": ["image"],
    "image_edit": ["image"],
    "audio_transcription": ["transcription"],
    "audio_speech": ["speech"],
    "realtime": ["audio", "speech"],
    "rerank": ["rerank"],
    "moderation": ["moderation"],
    "video_generation": ["video"],
}
_FLAG_CAPS = (
    ("supports_vision", "vision"),
    ("supports_audio_input", "audio"),
    ("supports_audio_output", "speech"),
    ("supports_function_calling", "tools"),
    ("supports_reasoning", "reasoning"),
)
_SUPPORTS = (
    ("supports_system_messages", "system_prompt"),
    ("supports_native_streaming", "streaming"),
    ("supports_function_calling", "tools"),
    ("supports_response_schema", "json_mode"),
)
_MAPPED_COSTS = {"input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost"}


def import_litellm_prices(
    path: Path, *, base_urls: Mapping[str, str] | None = None
) -> ImportResult:
    """Read the price map at ``path`` and map it (see the module docstring)."""
    try:
        data = json.loads(safeio.read_text(path, c.MAX_IMPORT_BYTES))
    except safeio.SafeReadError as exc:
        raise RegctlError(f"{path}: cannot read LiteLLM price map: it {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise RegctlError(f"{path}: cannot read LiteLLM price map: {c.first_line(exc)}") from None
    if not isinstance(data, dict):
        raise RegctlError(f"{path}: not a LiteLLM price map (expected a JSON object)")
    report = ImportReport(source=Path(path).name)
    base_urls = dict(base_urls or {})
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key in sorted(data):
        entry = data[key]
        if key == "sample_spec":
            continue  # LiteLLM's documentation entry, not a model
        if not isinstance(entry, dict) or not isinstance(entry.get("litellm_provider"), str):
            report.skip(key, "no-provider", "entry has no litellm_provider")
            continue
        mode = entry.get("mode", "chat")  # LiteLLM's own default for an entry without a mode
        if mode not in MODE_CAPS:
            report.skip(key, "unmapped-mode", f"mode {mode!r} is not a model capability")
            continue
        groups.setdefault(entry["litellm_provider"], []).append((key, entry))
    providers: list[dict[str, Any]] = []
    extra: set[str] = set()
    used_ids: dict[str, str] = {}
    for lname in sorted(groups):
        body = _provider(lname, base_urls, report, used_ids)
        if body is None:
            for key, _ in groups[lname]:
                report.skip(key, "provider-skipped", f"provider {lname!r} not imported")
            continue
        models: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for key, entry in groups[lname]:
            model = _model(key, lname, entry, report, extra)
            if model is not None:
                c.add_model(models, seen, model, key, report)
        if not models:
            report.skip(lname, "provider-without-models")
            continue
        body["models"] = models
        providers.append(body)
        report.models += len(models)
    return ImportResult.of(providers, "litellm", report, extra)


def _provider(
    lname: str, base_urls: dict[str, str], report: ImportReport, used: dict[str, str]
) -> dict[str, Any] | None:
    pid = c.provider_id(lname)
    if pid is None or pid in used:
        why = "invalid-provider-id" if pid is None else "duplicate-provider-id"
        report.skip(lname, why, f"{lname!r}" + (f" clashes with {used[pid]!r}" if pid else ""))
        return None
    api, url, key = PROVIDER_API.get(lname, (_OAI, None, None))
    url = base_urls.get(lname, base_urls.get(pid, url))
    if url is None and api in (_OAI, "azure-openai"):
        report.skip(lname, "no-base-url", f"pass --base-url {lname}=URL")
        return None
    used[pid] = lname
    body: dict[str, Any] = {"id": pid, "display_name": lname, "api": api}
    if url:
        body["base_url"] = url.rstrip("/")
    if api != "bedrock":
        name = c.env_ref_name(key) if key else c.env_name_for(pid)
        body["credentials"] = [f"env:{name}"]
        report.env_vars.setdefault(str(name), pid)
    else:
        report.note(lname, "aws-credentials", "bedrock uses the AWS credential chain")
    body["labels"] = {"source": "litellm", "litellm-provider": lname}
    return body


def _model(
    key: str, lname: str, entry: dict[str, Any], report: ImportReport, extra: set[str]
) -> dict[str, Any] | None:
    mode = entry.get("mode")
    if mode is None:
        mode = "chat"
        report.note(key, "mode-missing", "assumed chat")
    upstream = key[len(lname) + 1 :] if key.startswith(lname + "/") else key
    mid = c.model_id(upstream)
    if mid is None:
        report.skip(key, "invalid-model-id", upstream)
        return None
    caps = list(MODE_CAPS[mode])
    chatty = mode in ("chat", "responses", "completion", "realtime")
    for flag, cap in _FLAG_CAPS:
        if chatty and entry.get(flag) is True and cap not in caps:
            caps.append(cap)
    extra.update(cap for cap in caps if cap not in c.CAPABILITIES)
    body: dict[str, Any] = {"id": mid}
    if mid != upstream:
        body["upstream_id"] = upstream
        report.note(key, "id-rewritten", f"{upstream!r} -> {mid!r} (upstream_id keeps it)")
    body["display_name"] = upstream
    body["capabilities"] = caps
    body["active"] = False
    body["limits"] = c.limits(
        key, report, entry.get("max_input_tokens"), entry.get("max_output_tokens")
    )
    supports = {k: entry[f] for f, k in _SUPPORTS if isinstance(entry.get(f), bool)}
    body["supports"] = supports or None
    dropped = sorted(k for k in entry if "cost" in k and k not in _MAPPED_COSTS)
    if dropped:  # batch, priority, tiered, audio, image prices: regctl has no field for them
        report.note(key, "dropped-price-kinds", ", ".join(dropped))
    body["pricing"] = c.pricing(
        key,
        report,
        input=c.per_mtok(entry.get("input_cost_per_token")),
        output=c.per_mtok(entry.get("output_cost_per_token")),
        cached=c.per_mtok(entry.get("cache_read_input_token_cost")),
    )
    dep = entry.get("deprecation_date")
    body["deprecated"] = c.iso_date(dep)
    if dep is not None and body["deprecated"] is None:
        report.note(key, "invalid-deprecation-date", repr(dep))
    return c.drop_none(body)
