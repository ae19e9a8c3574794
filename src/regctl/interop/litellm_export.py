"""Write a LiteLLM proxy config (``model_list`` + ``router_settings``) from a compiled manifest.

Groups (LiteLLM ``model_name``):

* ``<capability>/<provider>``: each provider's active model for that capability;
* ``<capability>``: the registry's default provider for it (or the only provider
  with an active model), which is what a caller naming just a capability gets;
* ``router_settings.fallbacks``: ``{<capability>: [<capability>/<fallback provider>, ...]}``
  in the registry's order, so LiteLLM retries the way ``regctl.client.resolve`` does.

Rate limits: LiteLLM limits each deployment on its own, and one regctl model appears in
several deployments (``chat/openai``, ``chat``, ``vision/openai``, ...). Copying the
provider's ``rpm``/``tpm`` to each would multiply the real ceiling by their number, so
a provider's limit is divided among all of its deployments and a model's own limit among
that model's deployments (the smaller share applies). Each sum stays within the limit.

Failures and limits (``registry.policy.failover``, ``budgets``): ``router_settings`` carries
``num_retries``, ``allowed_fails``, ``cooldown_time`` (the client's defaults when the
registry sets none, so both routers behave alike) and ``routing_strategy:
simple-shuffle`` (each group holds one deployment, so the order is the fallbacks', as in
``Registry.failover``). Budgets of ``provider:ID`` scope that are enforced (``on_exceed``
``refuse`` or ``fallback``) become ``provider_budget_config`` (LiteLLM drops an
over-budget provider's deployments and falls back, as ``fallback`` does) keyed by
LiteLLM's provider name, for a calendar month (``1mo``); other budgets are reported in
the warnings. A provider's ``region`` is each deployment's ``region_name``.

Keys become ``os.environ/NAME`` from the provider's first ``env:`` reference.
LiteLLM has one ``api_key`` per deployment and no secret plugins, so other
references (``file:``, plugin schemes, later chain entries) are reported in
:attr:`ExportResult.warnings`, never resolved or copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regctl.interop.writer import dump_yaml

#: regctl api -> LiteLLM provider prefix (``<prefix>/<upstream id>``).
API_PREFIX = {
    "openai": "openai",
    "openai-compatible": "openai",  # LiteLLM's generic OpenAI-compatible route, with api_base
    "anthropic": "anthropic",
    "gemini": "gemini",
    "azure-openai": "azure",
    "bedrock": "bedrock",
}
#: Public endpoints that LiteLLM already knows; api_base is left out for them.
PUBLIC_BASE = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
}
#: capability -> LiteLLM ``model_info.mode``.
CAP_MODE = {
    "completion": "completion",
    "embedding": "embedding",
    "image": "image_generation",
    "transcription": "audio_transcription",
    "speech": "audio_speech",
    "rerank": "rerank",
    "moderation": "moderation",
}


@dataclass
class ExportResult:
    """The config as data and as YAML text, plus what LiteLLM could not express."""

    config: dict[str, Any]
    text: str
    warnings: list[str] = field(default_factory=list)


def export_litellm(manifest: dict[str, Any]) -> ExportResult:
    """Build the LiteLLM config for ``manifest`` (a compiled regctl lock, as a dict)."""
    warnings: list[str] = []
    providers: dict[str, Any] = manifest.get("providers", {})
    models: dict[str, Any] = manifest.get("models", {})
    active: dict[str, dict[str, str]] = manifest.get("active", {})
    params_by_provider = {
        pid: _provider_params(pid, providers[pid], warnings) for pid in sorted(active)
    }
    entries: list[dict[str, Any]] = []
    groups: dict[str, set[str]] = {}  # capability -> providers with an active model for it
    for pid in sorted(active):
        for cap in sorted(active[pid]):
            entries.append(_entry(f"{cap}/{pid}", cap, models[active[pid][cap]], providers[pid],
                                  params_by_provider[pid]))  # fmt: skip
            groups.setdefault(cap, set()).add(pid)
    defaults: dict[str, str] = manifest.get("defaults", {})
    bare: dict[str, str] = {}
    for cap in sorted(groups):
        chosen: str | None = defaults.get(cap)
        if chosen is None and len(groups[cap]) == 1:
            chosen = next(iter(groups[cap]))
        if chosen is None:
            warnings.append(
                f"capability {cap!r} has no default provider: no {cap!r} group, "
                f"call '{cap}/<provider>'"
            )
        elif chosen not in groups[cap]:
            warnings.append(f"default provider {chosen!r} has no active model for {cap!r}")
        else:
            bare[cap] = chosen
            entries.append(_entry(cap, cap, models[active[chosen][cap]], providers[chosen],
                                  params_by_provider[chosen]))  # fmt: skip
    fallbacks: list[dict[str, list[str]]] = []
    for cap, chain in sorted(manifest.get("fallbacks", {}).items()):
        if cap not in bare:
            warnings.append(f"fallbacks for {cap!r} left out: there is no {cap!r} group")
            continue
        names = []
        for pid in chain:
            if pid in groups.get(cap, set()):
                names.append(f"{cap}/{pid}")
            else:
                warnings.append(f"fallback {pid!r} for {cap!r} left out: no active model")
        if names:
            fallbacks.append({cap: names})
    _assign_rate_limits(entries, providers, models)
    config: dict[str, Any] = {"model_list": entries}
    settings = _router_settings(manifest, providers, warnings)
    if fallbacks:
        settings["fallbacks"] = fallbacks
    config["router_settings"] = settings
    digest = manifest.get("digest", "unknown")
    env = manifest.get("environment")
    head = (
        "# Generated by `regctl export litellm` from manifest "
        f"{digest}{f' (environment {env})' if env else ''}.\n"
        "# Edit the registry and export again instead of editing this file.\n"
    )
    return ExportResult(config, head + dump_yaml(config), warnings)


#: ``policy.failover`` field -> LiteLLM ``router_settings`` key, and the client's default.
FAILOVER = {
    "num_retries": ("num_retries", 2),
    "allowed_fails": ("allowed_fails", 3),
    "cooldown_seconds": ("cooldown_time", 5.0),
}


def _router_settings(
    manifest: dict[str, Any], providers: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    reg = manifest.get("registry") or {}
    failover = (reg.get("policy") or {}).get("failover") or {}
    out: dict[str, Any] = {
        key: failover.get(name, default) for name, (key, default) in FAILOVER.items()
    }
    out["routing_strategy"] = "simple-shuffle"
    budgets: dict[str, Any] = {}
    for b in reg.get("budgets") or []:
        scope, mode = b.get("scope", ""), b.get("on_exceed", "warn")
        if mode == "warn":
            continue  # LiteLLM would enforce what regctl only warns about
        kind, _, pid = scope.partition(":")
        if kind != "provider" or pid not in providers:
            warnings.append(f"budget {scope!r} left out: LiteLLM budgets providers only")
            continue
        name = _prefix(providers[pid])
        if name in budgets:
            warnings.append(
                f"budget {scope!r} left out: another provider is LiteLLM's {name!r} too"
            )
            continue
        budgets[name] = {"budget_limit": b["monthly"], "time_period": "1mo"}
    if budgets:
        out["provider_budget_config"] = budgets
    return out


def _prefix(prov: dict[str, Any]) -> str:
    labels = prov.get("labels") or {}
    return str(
        labels.get("litellm-provider") or API_PREFIX.get(prov.get("api", "openai"), "openai")
    )


def _provider_params(pid: str, prov: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The ``litellm_params`` shared by every deployment of one provider."""
    params: dict[str, Any] = {}
    refs: list[str] = list(prov.get("credentials", []))
    env_refs = [r for r in refs if r.startswith("env:")]
    for ref in refs:
        if not ref.startswith("env:"):
            # Name the scheme only: the rest of a reference can be a path or vault location.
            scheme = ref.split(":", 1)[0]
            warnings.append(
                f"provider {pid!r}: {scheme}: credential cannot be expressed in LiteLLM"
            )
    if not prov.get("allow_shared_credentials", True):
        warnings.append(f"provider {pid!r} allows personal keys only: exported without api_key")
    elif env_refs:
        params["api_key"] = "os.environ/" + env_refs[0][len("env:") :]
        for extra in env_refs[1:]:
            warnings.append(
                f"provider {pid!r}: LiteLLM takes one key, {extra} (later in the chain) not used"
            )
    base = prov.get("base_url")
    api = prov.get("api", "openai")
    if base and PUBLIC_BASE.get(api) != base:
        params["api_base"] = base
    if prov.get("region"):
        params["region_name"] = prov["region"]
    return params


def _shares(limit: int, n: int) -> list[int]:
    """``limit`` split into ``n`` whole shares that sum to it (the first ones get the rest)."""
    base, rest = divmod(limit, n)
    return [base + (1 if i < rest else 0) for i in range(n)]


def _assign_rate_limits(
    entries: list[dict[str, Any]], providers: dict[str, Any], models: dict[str, Any]
) -> None:
    """Set each deployment's ``rpm``/``tpm`` to its share (see the module docstring)."""
    by_provider: dict[str, list[dict[str, Any]]] = {}
    by_model: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        ref = e["model_info"]["regctl_model"]
        by_provider.setdefault(ref.split("/", 1)[0], []).append(e)
        by_model.setdefault(ref, []).append(e)
    for key in ("rpm", "tpm"):
        share: dict[int, int] = {}  # id(entry) -> the smallest share that applies
        groups = [
            ((providers.get(pid) or {}).get("rate_limits") or {}, group)
            for pid, group in by_provider.items()
        ] + [
            ((models.get(ref) or {}).get("rate_limits") or {}, group)
            for ref, group in by_model.items()
        ]
        for limits, group in groups:
            if limits.get(key) is None:
                continue
            for e, part in zip(group, _shares(int(limits[key]), len(group))):
                share[id(e)] = min(share.get(id(e), part), part)
        for e in entries:
            if id(e) in share:
                e["litellm_params"][key] = share[id(e)]


def _entry(
    name: str, cap: str, model: dict[str, Any], prov: dict[str, Any], shared: dict[str, Any]
) -> dict[str, Any]:
    prefix = _prefix(prov)
    upstream = model.get("upstream_id") or model["id"]
    params: dict[str, Any] = {"model": f"{prefix}/{upstream}"}
    params.update(shared)
    info: dict[str, Any] = {
        "id": f"{prov['id']}/{model['id']}#{name}",
        "mode": CAP_MODE.get(cap, "chat"),
        "regctl_model": f"{prov['id']}/{model['id']}",
        "regctl_capability": cap,
    }
    pricing = model.get("pricing") or {}
    for src, dst in (
        ("input_per_mtok", "input_cost_per_token"),
        ("output_per_mtok", "output_cost_per_token"),
        ("cached_input_per_mtok", "cache_read_input_token_cost"),
    ):
        if src in pricing:
            info[dst] = pricing[src] / 1_000_000
    limits = model.get("limits") or {}
    if "context_window" in limits:
        info["max_input_tokens"] = limits["context_window"]
    if "max_output_tokens" in limits:
        info["max_output_tokens"] = limits["max_output_tokens"]
    return {"model_name": name, "litellm_params": params, "model_info": info}
