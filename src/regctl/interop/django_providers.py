"""``AIProvider`` rows -> Provider bodies (docs/migrate-from-django.md, "Providers").

The id is the row's ``slug`` where the schema has one (seed 003 looks providers up by it),
else derived from ``name`` (seed 000). The wire protocol comes from the endpoint first (a
Gemini URL ending in ``/openai/`` is Gemini's OpenAI-compatible endpoint, an
``openai.azure.com`` host is Azure), then from ``provider_type`` or the name. The stored
key is never read into the output: the provider gets an ``env:<ID>_API_KEY`` reference
and the report says which variables to set.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from regctl.interop import common as c
from regctl.interop.litellm_prices import PROVIDER_API
from regctl.interop.report import ImportReport
from regctl.pipeline import schema
from regctl.pipeline.schema import DEFAULT_BASE_URLS

HTTP_URL = re.compile(schema.HTTP_URL)
#: Host and path of a URL that matched HTTP_URL: only to classify the endpoint (nothing
#: here connects; the client's bounded HTTP layer parses URLs it sends to).
_HOST_PATH = re.compile(r"^https?://(?:[^@/?#]*@)?([^:/?#]*)(?::\d*)?([^?#]*)")

#: ``provider_type`` values (seed 003) and name hints (seed 000) -> wire protocol.
TYPE_API = {
    "openai": "openai",
    "anthropic": "anthropic",
    "claude": "anthropic",
    "google": "gemini",
    "gemini": "gemini",
    "azure": "azure-openai",
    "bedrock": "bedrock",
    "openrouter": "openai-compatible",
    "custom": "openai-compatible",
}
#: Public endpoints of OpenAI-compatible services named by type or name.
KNOWN_URLS = {"openrouter": "https://openrouter.ai/api/v1"}


@dataclass
class ProviderRow:
    """What the other tables need of an imported provider."""

    pk: Any
    id: str
    ident: str  # what the seed looks it up by: slug or name
    is_default: bool
    is_active: bool
    shared: bool  # shared_api_enabled
    body: dict[str, Any]


def number(v: Any) -> float | None:
    """A DecimalField arrives as a string in dumpdata (``"2.50"``); NaN never passes."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        n = float(v) if isinstance(v, (int, float)) else float(Decimal(str(v)))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return n if math.isfinite(n) else None


def _hint(f: dict[str, Any], pid: str) -> str | None:
    kind = str(f.get("provider_type") or "").strip().lower()
    if kind in TYPE_API:
        return TYPE_API[kind]
    for word, api in TYPE_API.items():
        if word in pid:
            return api
    return None


def _api_and_url(
    f: dict[str, Any], pid: str, where: str, report: ImportReport
) -> tuple[str, str | None] | None:
    raw = str(f.get("base_url") or "").strip()
    hint = _hint(f, pid)
    if raw and not HTTP_URL.match(raw):
        report.lose(where, "invalid-base-url", "not an http(s) URL: dropped")
        raw = ""
    url = raw.rstrip("/") or None
    if url is not None:
        found = _HOST_PATH.match(url)
        host, path = (found.group(1).lower(), found.group(2)) if found else ("", "")
        if host.endswith(".openai.azure.com"):
            api = "azure-openai"
        elif host == "generativelanguage.googleapis.com":
            # Google's OpenAI-compatible endpoint speaks OpenAI's protocol, not Gemini's.
            api = "openai-compatible" if "/openai" in path else "gemini"
        elif host == "api.anthropic.com":
            api = "anthropic"
        elif host == "api.openai.com":
            api = "openai"
        else:
            api = hint if hint in ("anthropic", "gemini", "azure-openai") else "openai-compatible"
        if api == "anthropic" and url.endswith("/v1"):
            # regctl's Anthropic base URL is the host: clients append /v1/messages.
            url = url[: -len("/v1")]
            report.note(where, "base-url-normalized", f"{raw} -> {url} (the SDKs add /v1)")
        return api, url
    known = PROVIDER_API.get(pid) or PROVIDER_API.get(pid.replace("-", "_"))
    api = hint or (known[0] if known else None) or "openai-compatible"
    if api in DEFAULT_BASE_URLS or api == "bedrock":
        return api, None
    url = KNOWN_URLS.get(str(f.get("provider_type") or "")) or KNOWN_URLS.get(pid)
    if url is None and known is not None and known[0] == api:
        url = known[1]
    if url is None:
        return None
    report.note(where, "base-url-filled", f"no base_url stored: {url}")
    return api, url


def provider_row(
    row: dict[str, Any], where: str, report: ImportReport, taken: dict[str, str]
) -> ProviderRow | None:
    """The provider of one row, or ``None`` (the row is reported dropped)."""
    f = row["fields"]
    slug = f.get("slug")
    name = str(f.get("name") or "")
    ident = str(slug) if slug else name
    pid = c.provider_id(ident)
    if pid is None:
        report.row(where, "dropped", "", f"no valid provider id in {ident!r}")
        return None
    if pid in taken:
        report.row(where, "dropped", "", f"id {pid!r} already taken by {taken[pid]}")
        return None
    found = _api_and_url(f, pid, where, report)
    if found is None:
        report.row(where, "dropped", "", f"provider {ident!r} has no base_url and no known one")
        return None
    api, url = found
    taken[pid] = where
    shared = f.get("shared_api_enabled") is not False
    display = f.get("display_name") if not slug else name
    body: dict[str, Any] = {"id": pid, "display_name": str(display or ident), "api": api}
    if url:
        body["base_url"] = url
    body["enabled"] = f.get("is_active") is not False
    if api != "bedrock":
        var = c.env_name_for(pid)
        body["credentials"] = [f"env:{var}"]
        had = "set it to the key stored in Django" if f.get("api_key") else "no key was stored"
        report.env_vars[var] = f"{pid}: {had}"
    if not shared:
        body["allow_shared_credentials"] = False
    defaults: dict[str, Any] = {}
    temp = number(f.get("default_temperature"))
    if temp is not None:
        if 0 <= temp <= 2:
            defaults["temperature"] = int(temp) if temp.is_integer() else temp
        else:
            report.lose(where, "invalid-temperature", f"default_temperature {temp} not in 0..2")
    mt = number(f.get("default_max_tokens"))
    if mt is not None and mt > 0 and mt.is_integer():
        defaults["max_tokens"] = int(mt)
    body["defaults"] = defaults or None
    desc = f.get("description")
    body["description"] = desc.strip() if isinstance(desc, str) and desc.strip() else None
    docs = str(f.get("documentation_url") or "").strip()
    if docs and not HTTP_URL.match(docs):
        report.lose(where, "invalid-docs-url", "documentation_url is not an http(s) URL")
    body["docs_url"] = docs if HTTP_URL.match(docs) else None
    body["labels"] = {"source": "django"}
    body["models"] = []
    how = f"id from slug {ident!r}" if slug else f"id from name {ident!r}"
    report.row(where, "imported", f"provider {pid}", how if pid != ident else "")
    return ProviderRow(
        row.get("pk"),
        pid,
        ident,
        f.get("is_default") is True,
        body["enabled"],
        shared,
        c.drop_none(body),
    )
