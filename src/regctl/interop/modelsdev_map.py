"""One resolved models.dev model (inheritance already applied) -> one registry model body."""

from __future__ import annotations

from typing import Any

from regctl.interop import common as c
from regctl.interop.report import ImportReport

#: Capability names this importer may add beyond the built-in vocabulary; the import
#: declares the ones it used in the Registry document's ``capabilities``.
EXTRA_CAPABILITIES = frozenset({"video"})

_CACHED_KEYS = ("cache_read", "cache_input", "cached_input")
_MAPPED_COST = {"input", "output", *_CACHED_KEYS}
# Fields that carry no meaning for a registry (catalog bookkeeping) are not noted.
_IGNORED = {
    "name", "family", "attachment", "reasoning", "tool_call", "structured_output",
    "temperature", "release_date", "last_updated", "knowledge", "open_weights", "status",
    "modalities", "limit", "cost", "benchmarks", "weights", "links", "license",
    "reasoning_options", "interleaved", "experimental", "provider",
}  # fmt: skip


def capabilities(mid: str, raw: dict[str, Any]) -> list[str]:
    """Capabilities from modalities and flags, in a stable order.

    Text in and text out is ``chat``; embedding, rerank, transcription and
    moderation models are recognised by name because models.dev describes them
    with the same text modalities as chat models.
    """
    mods: dict[str, Any] = raw["modalities"] if isinstance(raw.get("modalities"), dict) else {}
    inp = set(mods.get("input") or ["text"])
    out = set(mods.get("output") or ["text"])
    name = f"{mid} {raw.get('family', '')} {raw.get('name', '')}".lower()
    caps: list[str] = []
    if "embed" in name:
        return ["embedding"]
    if "rerank" in name:
        return ["rerank"]
    if "moderation" in name:
        return ["moderation"]
    text_out = "text" in out
    if "audio" in inp and text_out and ("whisper" in name or "transcri" in name):
        caps.append("transcription")
    elif text_out and "text" in inp:
        caps.append("chat")
    if "image" in inp and text_out:
        caps.append("vision")
    if "audio" in inp and text_out and "transcription" not in caps:
        caps.append("audio")
    if "image" in out:
        caps.append("image")
    if "audio" in out:
        caps.append("speech")
    if "video" in inp or "video" in out:
        caps.append("video")
    if caps and any(k in name for k in ("coder", "codex", "codestral", "-code")):
        caps.append("code")
    if caps and raw.get("tool_call") is True:
        caps.append("tools")
    if caps and raw.get("reasoning") is True:
        caps.append("reasoning")
    return caps


def map_model(
    mid_raw: str, raw: dict[str, Any], where: str, report: ImportReport, extra: set[str]
) -> dict[str, Any] | None:
    """The registry model body, or None (reported) when the model cannot be mapped."""
    mid = c.model_id(mid_raw)
    if mid is None:
        report.skip(where, "invalid-model-id", mid_raw)
        return None
    caps = capabilities(mid_raw, raw)
    if not caps:
        mods = raw.get("modalities", {})
        report.skip(where, "no-capabilities", f"modalities {mods}")
        return None
    extra.update(cap for cap in caps if cap in EXTRA_CAPABILITIES)
    body: dict[str, Any] = {"id": mid}
    if mid != mid_raw:
        body["upstream_id"] = mid_raw
        report.note(where, "id-rewritten", f"{mid_raw!r} -> {mid!r} (upstream_id keeps it)")
    name = raw.get("name")
    body["display_name"] = str(name).strip() if isinstance(name, str) and name.strip() else mid
    body["capabilities"] = caps
    body["active"] = False
    lim: dict[str, Any] = raw["limit"] if isinstance(raw.get("limit"), dict) else {}
    body["limits"] = c.limits(where, report, lim.get("context"), lim.get("output"))
    supports: dict[str, bool] = {}
    if isinstance(raw.get("tool_call"), bool):
        supports["tools"] = raw["tool_call"]
    if isinstance(raw.get("structured_output"), bool):
        supports["json_mode"] = raw["structured_output"]
    body["supports"] = supports or None
    body["pricing"] = _pricing(raw.get("cost"), where, report)
    body["released"] = c.iso_date(raw.get("release_date"))
    status = raw.get("status")
    if status == "deprecated":
        when = c.iso_date(raw.get("last_updated")) or c.iso_date(raw.get("release_date"))
        if when is None:
            report.note(where, "deprecated-without-date")
        body["deprecated"] = when
    labels: dict[str, str] = {}
    if isinstance(raw.get("family"), str) and raw["family"]:
        labels["family"] = raw["family"]
    if isinstance(status, str) and status != "deprecated":
        labels["status"] = status
    if isinstance(raw.get("open_weights"), bool):
        labels["open-weights"] = str(raw["open_weights"]).lower()
    body["labels"] = labels or None
    prov = raw.get("provider")
    if isinstance(prov, dict) and ("api" in prov or "npm" in prov):
        # regctl endpoints are per provider; a per-model endpoint cannot be kept.
        report.note(where, "dropped-model-endpoint", f"provider.{sorted(prov)}")
    return c.drop_none(body)


def _pricing(cost: Any, where: str, report: ImportReport) -> dict[str, Any] | None:
    if not isinstance(cost, dict):
        return None
    cached = next((cost[k] for k in _CACHED_KEYS if k in cost), None)
    dropped = sorted(set(cost) - _MAPPED_COST)
    if dropped:  # cache writes, tiers, audio, reasoning: regctl has no field for them
        report.note(where, "dropped-price-kinds", ", ".join(f"cost.{k}" for k in dropped))
    vals = {k: c.price(cost.get(k)) for k in ("input", "output")}
    for k in ("input", "output"):
        if k in cost and vals[k] is None:
            report.note(where, "invalid-price", f"cost.{k}={cost[k]!r}")
    return c.pricing(
        where, report, input=vals["input"], output=vals["output"], cached=c.price(cached)
    )
