"""Import a Django ``dumpdata`` JSON of the old ``AIProvider``/``AIModel`` tables.

The old tables stored API keys in plain text. They are never written: every
provider gets an ``env:<PROVIDER>_API_KEY`` reference and the report lists the
variables to set (and which providers had a stored key to move there). The old
data also allowed several active models per provider and capability; the
registry allows one, so the most recently released stays active and the others
are deactivated and reported. Active models whose deprecation date has passed
are deactivated too, so the import validates as it is. A model marked ``is_default``
wins its capabilities over a newer one (it was the one the old system served), and its
provider becomes the Registry's default for them. ``prompttemplate`` rows become
``PromptTemplate`` documents (see :mod:`regctl.interop.django_templates`).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError
from regctl.interop import common as c
from regctl.interop.django_templates import import_templates, is_template_row
from regctl.interop.litellm_prices import PROVIDER_API
from regctl.interop.modelsdev import ImportResult
from regctl.interop.report import ImportReport

#: Old capability spellings -> registry capabilities.
CAPABILITY_ALIASES = {
    "text": "chat",
    "chat": "chat",
    "completion": "completion",
    "completions": "completion",
    "embedding": "embedding",
    "embeddings": "embedding",
    "vision": "vision",
    "image": "image",
    "images": "image",
    "image_generation": "image",
    "image-generation": "image",
    "audio": "audio",
    "speech": "speech",
    "tts": "speech",
    "text_to_speech": "speech",
    "transcription": "transcription",
    "stt": "transcription",
    "speech_to_text": "transcription",
    "code": "code",
    "tools": "tools",
    "function_calling": "tools",
    "tool_use": "tools",
    "reasoning": "reasoning",
    "rerank": "rerank",
    "moderation": "moderation",
}
#: Provider-name hints -> api (checked in order; the first contained in the name wins).
API_HINTS = (
    ("azure", "azure-openai"),
    ("bedrock", "bedrock"),
    ("aws", "bedrock"),
    ("anthropic", "anthropic"),
    ("claude", "anthropic"),
    ("gemini", "gemini"),
    ("google", "gemini"),
    ("openai", "openai"),
)


def import_django(path: Path, *, as_of: _dt.date | None = None) -> ImportResult:
    """Read the ``dumpdata`` JSON at ``path`` and map it (see the module docstring)."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegctlError(f"{path}: cannot read Django fixture: {exc}") from None
    if not isinstance(rows, list):
        raise RegctlError(f"{path}: not a Django dumpdata fixture (expected a JSON list)")
    today = as_of or _dt.date.today()
    report = ImportReport(source=Path(path).name)
    prov_rows, model_rows, template_rows = [], [], []
    for i, row in enumerate(rows):
        label = str(row.get("model", "")).lower() if isinstance(row, dict) else ""
        if label.endswith(".aiprovider") and isinstance(row.get("fields"), dict):
            prov_rows.append(row)
        elif label.endswith(".aimodel") and isinstance(row.get("fields"), dict):
            model_rows.append(row)
        elif is_template_row(label) and isinstance(row.get("fields"), dict):
            template_rows.append(row)
        else:
            report.skip(f"[{i}]", "other-table", label or "not a dumpdata row")
    providers: dict[Any, dict[str, Any]] = {}  # pk and name -> provider body
    by_id: dict[str, dict[str, Any]] = {}
    for row in prov_rows:
        body = _provider(row, report)
        if body is None:
            continue
        if body["id"] in by_id:
            report.skip(_where(row), "duplicate-provider-id", body["id"])
            continue
        by_id[body["id"]] = body
        providers[row.get("pk")] = providers[row["fields"].get("name")] = body
    defaults: dict[str, list[str]] = {}
    models_by_pk: dict[Any, tuple[str, list[str]]] = {}
    for row in sorted(model_rows, key=lambda r: str(r.get("pk"))):
        fk = row["fields"].get("provider")
        fk = fk[0] if isinstance(fk, list) and len(fk) == 1 else fk  # natural key form
        body = providers.get(fk) if isinstance(fk, (int, str)) else None
        if body is None:
            report.skip(_where(row), "unknown-provider", f"provider {fk!r} not imported")
            continue
        model = _model(row, report, today)
        if model is None:
            continue
        if c.add_model(body["models"], body["_seen"], model, _where(row), report):
            report.models += 1
            ref = (f"{body['id']}/{model['id']}", list(model["capabilities"]))
            models_by_pk[row.get("pk")] = ref
            models_by_pk[(row["fields"].get("provider"), row["fields"].get("name"))] = ref
            if row["fields"].get("is_default") and model["_active"]:
                for cap in model["capabilities"]:
                    defaults.setdefault(cap, []).append(body["id"])
    for body in by_id.values():
        _single_active(body, report)
        del body["_seen"]
    # A capability's default provider: the provider of its is_default model, when only one has one.
    chosen = {cap: ps[0] for cap, ps in sorted(defaults.items()) if len(set(ps)) == 1}
    for cap, ps in sorted(defaults.items()):
        if len(set(ps)) > 1:
            report.note(f"defaults.{cap}", "default-conflict", f"is_default in {sorted(set(ps))}")
    registry = {"defaults": chosen} if chosen else {}
    result = ImportResult.of(list(by_id.values()), "django-import", report, registry=registry)

    def capability_of(raw: Any, where: str) -> str | None:
        cap = CAPABILITY_ALIASES.get(str(raw).strip().lower())
        if cap is None:
            report.note(where, "unknown-capability", f"{raw!r} dropped")
        return cap

    result.templates = import_templates(template_rows, models_by_pk, report, capability_of)
    return result


def _where(row: dict[str, Any]) -> str:
    return f"{row.get('model')}:{row.get('pk')}"


def _provider(row: dict[str, Any], report: ImportReport) -> dict[str, Any] | None:
    f = row["fields"]
    name = str(f.get("name") or "")
    pid = c.provider_id(name)
    if pid is None:
        report.skip(_where(row), "invalid-provider-id", repr(name))
        return None
    known = PROVIDER_API.get(pid) or PROVIDER_API.get(pid.replace("-", "_"))
    api = next((a for hint, a in API_HINTS if hint in pid), None) or (known[0] if known else None)
    base_url = str(f.get("base_url") or "").strip().rstrip("/") or None
    if base_url and not base_url.startswith(("http://", "https://")):
        report.note(_where(row), "invalid-base-url", "dropped (not http(s))")
        base_url = None
    if base_url is None and known and api == known[0]:
        base_url = known[1]
    if api is None:
        api = "openai-compatible"
    if base_url is None and api in ("openai-compatible", "azure-openai"):
        report.skip(_where(row), "no-base-url", f"provider {name!r} has no base_url")
        return None
    body: dict[str, Any] = {"id": pid, "display_name": str(f.get("display_name") or name)}
    body["api"] = api
    if base_url:
        body["base_url"] = base_url
    body["enabled"] = bool(f.get("is_active", True))
    if api != "bedrock":
        var = c.env_name_for(pid)
        body["credentials"] = [f"env:{var}"]
        # Say where the old value must go, never the value itself.
        had = "had a stored key" if f.get("api_key") else "no key was stored"
        report.env_vars[var] = f"{pid}: {had}"
    defaults: dict[str, Any] = {}
    temp = _number(f.get("default_temperature"))
    if temp is not None and 0 <= temp <= 2:
        defaults["temperature"] = temp
    mt = _number(f.get("default_max_tokens"))
    if mt is not None and mt > 0 and float(mt).is_integer():
        defaults["max_tokens"] = int(mt)
    body["defaults"] = defaults or None
    body["description"] = str(f["description"]).strip() if f.get("description") else None
    docs = str(f.get("documentation_url") or "")
    body["docs_url"] = docs if docs.startswith(("http://", "https://")) else None
    body["labels"] = {"source": "django"}
    body["models"] = []
    body["_seen"] = {}
    return c.drop_none(body)


def _capabilities(raw: Any, where: str, report: ImportReport) -> list[str]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)  # a JSON list kept in a TextField
        except json.JSONDecodeError:
            raw = raw.replace(";", ",").replace(" ", ",").split(",")
    caps: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        name = str(item).strip().lower()
        if not name:
            continue
        cap = CAPABILITY_ALIASES.get(name)
        if cap is None:
            report.note(where, "unknown-capability", f"{name!r} dropped")
        elif cap not in caps:
            caps.append(cap)
    return caps


def _model(row: dict[str, Any], report: ImportReport, today: _dt.date) -> dict[str, Any] | None:
    f, where = row["fields"], _where(row)
    name = str(f.get("name") or "")
    mid = c.model_id(name)
    if mid is None:
        report.skip(where, "invalid-model-id", repr(name))
        return None
    caps = _capabilities(f.get("capabilities"), where, report)
    if not caps:
        report.skip(where, "no-capabilities", repr(f.get("capabilities")))
        return None
    body: dict[str, Any] = {"id": mid}
    if mid != name:
        body["upstream_id"] = name
    body["display_name"] = str(f.get("display_name") or name)
    body["capabilities"] = caps
    body["active"] = False
    body["limits"] = c.limits(where, report, f.get("context_window"), f.get("max_tokens"))
    supports = {
        k: f[src]
        for src, k in (
            ("supports_system_prompt", "system_prompt"),
            ("supports_streaming", "streaming"),
        )
        if isinstance(f.get(src), bool)
    }
    body["supports"] = supports or None
    body["pricing"] = c.pricing(
        where,
        report,
        input=c.price(_number(f.get("input_price_per_million"))),
        output=c.price(_number(f.get("output_price_per_million"))),
    )
    body["released"] = c.iso_date(f.get("release_date"))
    body["deprecated"] = c.iso_date(f.get("deprecation_date"))
    active = bool(f.get("is_active"))
    if active and body["deprecated"] is not None and body["deprecated"] <= today:
        report.note(where, "deprecated-deactivated", f"{mid}: deprecated {body['deprecated']}")
        active = False
    body["_active"] = active
    # The default model wins over a newer one: it is what the old system served.
    body["_rank"] = (
        bool(f.get("is_default")),
        body["released"] or _dt.date.min,
        str(row.get("pk")),
    )
    return c.drop_none(body)


def _single_active(provider: dict[str, Any], report: ImportReport) -> None:
    """Keep one active model per capability: the ``is_default`` one, else the newest."""
    models = provider["models"]
    won: dict[str, list[str]] = {m["id"]: [] for m in models}
    caps = sorted({cap for m in models if m["_active"] for cap in m["capabilities"]})
    for cap in caps:
        cands = [m for m in models if m["_active"] and cap in m["capabilities"]]
        best = max(cands, key=lambda m: m["_rank"])
        won[best["id"]].append(cap)
        for m in cands:
            if m is not best:
                report.note(
                    f"{provider['id']}/{m['id']}",
                    "single-active",
                    f"deactivated for {cap}: {best['id']} is "
                    + ("the default" if best["_rank"][0] else "more recent"),
                )
    for m in models:
        kept = won[m["id"]]
        m["active"] = (
            True
            if kept and len(kept) == len(m["capabilities"])
            else ([cap for cap in m["capabilities"] if cap in kept] or False)
        )
        del m["_active"], m["_rank"]


def _number(v: Any) -> float | None:
    """DecimalField values arrive as strings in dumpdata (``"2.50"``)."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        number = float(v) if isinstance(v, (int, float)) else float(Decimal(str(v)))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # NaN/Infinity never reach the YAML
