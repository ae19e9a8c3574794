"""Import a models.dev checkout (``providers/<p>/provider.toml``, ``providers/<p>/models/**.toml``,
``models/<lab>/<model>.toml``) into registry documents.

What maps where:

* ``env`` names -> ``credentials`` (``env:NAME``); names that configure rather than
  authenticate (``*_RESOURCE_NAME``, ``*_REGION``, ``*_ACCOUNT_ID``, ...) go to the
  ``settings-env`` label instead, since a key chain must only hold keys.
* ``npm`` (the AI SDK package) and ``api`` -> ``api`` and ``base_url``. ``${VAR}``
  placeholders in URLs are filled from ``--var VAR=VALUE``; a provider whose URL
  still has one is skipped and reported (regctl has no URL templating).
* ``cost.*`` -> ``pricing``, ``limit.*`` -> ``limits``, modalities and flags ->
  ``capabilities``, ``base_model`` inheritance (minus ``base_model_omit``) resolved.
* Git stores symlinks as one-line files holding the target path when checked out
  without symlink support; both forms are followed and broken ones reported.

All models are imported inactive. Nothing is dropped silently: see
:class:`~regctl.interop.report.ImportReport`.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError
from regctl.interop import common as c
from regctl.interop.modelsdev_map import map_model
from regctl.interop.report import ImportReport
from regctl.io import safeio

# tomllib is stdlib from 3.11; on 3.10 the API-identical tomli backport (a dependency there).
tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")

#: AI SDK package -> (regctl api, public base URL or URL template when models.dev gives none).
NPM_API: dict[str, tuple[str, str | None]] = {
    "@ai-sdk/openai": ("openai", None),
    "@ai-sdk/anthropic": ("anthropic", None),
    "@ai-sdk/google": ("gemini", None),
    "@ai-sdk/amazon-bedrock": ("bedrock", None),
    "@ai-sdk/azure": ("azure-openai", "https://${AZURE_RESOURCE_NAME}.openai.azure.com/openai"),
    "@ai-sdk/google-vertex": (
        "openai-compatible",
        "https://${GOOGLE_VERTEX_LOCATION}-aiplatform.googleapis.com/v1/projects/"
        "${GOOGLE_VERTEX_PROJECT}/locations/${GOOGLE_VERTEX_LOCATION}/endpoints/openapi",
    ),
    "@ai-sdk/google-vertex/anthropic": (
        "anthropic",
        "https://${GOOGLE_VERTEX_LOCATION}-aiplatform.googleapis.com/v1/projects/"
        "${GOOGLE_VERTEX_PROJECT}/locations/${GOOGLE_VERTEX_LOCATION}/publishers/anthropic/models",
    ),
    "@ai-sdk/cerebras": ("openai-compatible", "https://api.cerebras.ai/v1"),
    "@ai-sdk/cohere": ("openai-compatible", "https://api.cohere.ai/compatibility/v1"),
    "@ai-sdk/deepinfra": ("openai-compatible", "https://api.deepinfra.com/v1/openai"),
    "@ai-sdk/groq": ("openai-compatible", "https://api.groq.com/openai/v1"),
    "@ai-sdk/mistral": ("openai-compatible", "https://api.mistral.ai/v1"),
    "@ai-sdk/perplexity": ("openai-compatible", "https://api.perplexity.ai"),
    "@ai-sdk/togetherai": ("openai-compatible", "https://api.together.xyz/v1"),
    "@ai-sdk/vercel": ("openai-compatible", "https://api.v0.dev/v1"),
    "@ai-sdk/gateway": ("openai-compatible", "https://ai-gateway.vercel.sh/v1"),
    "@ai-sdk/xai": ("openai-compatible", "https://api.x.ai/v1"),
    "@openrouter/ai-sdk-provider": ("openai-compatible", "https://openrouter.ai/api/v1"),
    "@aihubmix/ai-sdk-provider": ("openai-compatible", "https://aihubmix.com/v1"),
    "venice-ai-sdk-provider": ("openai-compatible", "https://api.venice.ai/api/v1"),
    "ai-gateway-provider": (
        "openai-compatible",
        "https://gateway.ai.cloudflare.com/v1/${CLOUDFLARE_ACCOUNT_ID}/${CLOUDFLARE_GATEWAY_ID}/compat",
    ),
}
# The AI SDK's Azure package also reads this variable for the Cognitive Services flavour.
_AZURE_RESOURCE_VARS = ("AZURE_COGNITIVE_SERVICES_RESOURCE_NAME",)

_SETTING = re.compile(
    r"(_RESOURCE_NAME|_REGION|_ACCOUNT_ID|_GATEWAY_ID|_ACCOUNT|_HOST|_BASE_URL|_ENDPOINT"
    r"|_PROJECT|_LOCATION|_ACCESS_KEY_ID|_SECRET_ACCESS_KEY|_APPLICATION_CREDENTIALS)$"
)
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?$")


@dataclass
class ImportResult:
    """Provider bodies and the Registry body ready for the writer, plus the report."""

    providers: list[dict[str, Any]]
    registry: dict[str, Any]
    report: ImportReport
    extra_capabilities: set[str] = field(default_factory=set)
    templates: list[dict[str, Any]] = field(default_factory=list)  # PromptTemplate bodies

    @classmethod
    def of(
        cls,
        providers: list[dict[str, Any]],
        name: str,
        report: ImportReport,
        extra: set[str] | None = None,
        registry: dict[str, Any] | None = None,
    ) -> ImportResult:
        """Count the providers into ``report`` and build the Registry body named ``name``."""
        report.providers = len(providers)
        body: dict[str, Any] = {"name": name}
        if extra:
            body["capabilities"] = sorted(extra)
        body.update(registry or {})
        return cls(providers, body, report, set(extra or ()))


def import_modelsdev(
    root: Path,
    *,
    variables: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read the models.dev checkout at ``root`` and map it (see the module docstring)."""
    root = Path(root)
    pdir = root / "providers"
    if not pdir.is_dir():
        raise RegctlError(f"{root}: not a models.dev checkout (no providers/ folder)")
    report = ImportReport(source="models.dev")
    variables = dict(variables or {})
    labs = _Labs(root / "models")
    provider_dirs = sorted(p for p in pdir.iterdir() if p.is_dir())
    if not provider_dirs:
        raise RegctlError(f"{root}: not a models.dev checkout (providers/ has no provider folders)")
    files = {p.name: sorted(_model_files(p / "models")) for p in provider_dirs}
    if on_total:
        on_total(sum(len(v) for v in files.values()))
    providers: list[dict[str, Any]] = []
    extra: set[str] = set()
    for pd in provider_dirs:
        body = _provider(root, pd, variables, report)
        if body is None:
            for f in files[pd.name]:
                report.skip(_rel(root, f), "provider-skipped", f"provider {pd.name!r} not imported")
            if progress:
                progress(len(files[pd.name]))
            continue
        models: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for f in files[pd.name]:
            where = _rel(root, f)
            raw = _load_model(root, f, labs, report)
            if raw is not None:
                mid = where[len(f"providers/{pd.name}/models/") : -len(".toml")]
                model = map_model(mid, raw, where, report, extra)
                if model is not None:
                    c.add_model(models, seen, model, where, report)
            if progress:
                progress(1)
        body["models"] = models
        providers.append(body)
        report.models += len(models)
    return ImportResult.of(providers, "models-dev", report, extra)


def _rel(root: Path, path: Path) -> str:
    # String slicing: Path.relative_to is a measurable share of a 5,000-file import.
    return str(path)[len(str(root)) + 1 :].replace(os.sep, "/")


def _model_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    # os.walk (not rglob) so symlinked folders are not followed into loops.
    out = []
    for dirpath, _dirs, names in os.walk(folder):
        out += [Path(dirpath, n) for n in names if n.endswith(".toml")]
    return out


def _read_toml(path: Path, root: Path, report: ImportReport) -> dict[str, Any] | None:
    """Parse ``path``, following real and checked-out-as-text symlinks; report failures."""
    where = _rel(root, path)
    for _ in range(8):
        if path.is_symlink() and not path.exists():
            report.skip(where, "broken-link", f"-> {os.readlink(path)}")
            return None
        try:
            text = safeio.read_text(path, c.MAX_IMPORT_BYTES)
        except safeio.SafeReadError as exc:
            report.skip(where, "unreadable", str(exc))
            return None
        try:
            parsed: dict[str, Any] = tomllib.loads(text)
            return parsed
        except tomllib.TOMLDecodeError as exc:
            target = text.strip()
            if "\n" in target or not target.endswith(".toml"):
                report.skip(where, "toml-syntax", str(exc))
                return None
        # A one-line file naming a .toml path is a symlink that git wrote as text.
        nxt = (path.parent / target).resolve()
        if not nxt.is_file():
            report.skip(where, "broken-link", f"-> {target}")
            return None
        path = nxt
    report.skip(where, "link-loop", "more than 8 links")
    return None


class _Labs:
    """Lab files (``models/<lab>/<model>.toml``), parsed once however many inherit them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cache: dict[str, dict[str, Any] | None] = {}

    def get(self, name: str, root: Path, report: ImportReport) -> dict[str, Any] | None:
        if name not in self.cache:
            path = self.folder / f"{name}.toml"
            ok = ".." not in name.split("/") and path.is_file()
            self.cache[name] = _read_toml(path, root, report) if ok else None
        return self.cache[name]


def _load_model(root: Path, path: Path, labs: _Labs, report: ImportReport) -> dict[str, Any] | None:
    data = _read_toml(path, root, report)
    if data is None:
        return None
    base = data.pop("base_model", None)
    omit = data.pop("base_model_omit", [])
    if base is None:
        return data
    lab = labs.get(str(base), root, report)
    if lab is None:
        report.skip(_rel(root, path), "missing-base-model", f"base_model {base!r} not found")
        return None
    merged = copy.deepcopy(lab)
    merged.pop("base_model", None)
    for dotted in omit if isinstance(omit, list) else []:
        _omit(merged, str(dotted).split("."))
    return _merge(merged, data)


def _omit(d: dict[str, Any], path: list[str]) -> None:
    for key in path[:-1]:
        nxt = d.get(key)
        if not isinstance(nxt, dict):
            return
        d = nxt
    d.pop(path[-1], None)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``over`` replaces the base's."""
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            base[k] = _merge(base[k], v)
        else:
            base[k] = v
    return base


def _provider(
    root: Path, pd: Path, variables: dict[str, str], report: ImportReport
) -> dict[str, Any] | None:
    where = _rel(root, pd / "provider.toml")
    data = (
        _read_toml(pd / "provider.toml", root, report) if (pd / "provider.toml").exists() else None
    )
    if data is None:
        if not (pd / "provider.toml").exists():
            report.skip(where, "missing-provider-file")
        return None
    pid = c.provider_id(pd.name)
    if pid is None:
        report.skip(where, "invalid-provider-id", pd.name)
        return None
    npm = str(data.get("npm") or "@ai-sdk/openai-compatible")
    api, default_url = NPM_API.get(npm, ("openai-compatible", None))
    url = data.get("api") or default_url
    if npm == "@ai-sdk/azure" and url == default_url:
        for var in _AZURE_RESOURCE_VARS:
            if var in data.get("env", []):
                url = f"https://${{{var}}}.cognitiveservices.azure.com/openai"
    body: dict[str, Any] = {"id": pid, "display_name": str(data.get("name") or pid), "api": api}
    if url:
        url = _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), str(url))
        missing = sorted(set(_PLACEHOLDER.findall(url)))
        if missing:
            hint = " ".join(f"--var {v}=..." for v in missing)
            report.skip(where, "base-url-placeholder", f"{url} (pass {hint})")
            return None
        if not _URL.match(url):
            report.skip(where, "invalid-base-url", url)
            return None
        body["base_url"] = url.rstrip("/")
    elif api in ("openai-compatible", "azure-openai"):
        report.skip(where, "no-base-url", f"npm package {npm!r} has no known endpoint")
        return None
    creds, settings = [], []
    for name in data.get("env", []):
        ref = c.env_ref_name(str(name))
        if ref is None:
            report.note(where, "invalid-env-name", str(name))
            continue
        if ref != name:
            report.note(where, "renamed-env-name", f"{name} -> {ref}")
        if _SETTING.search(ref):
            settings.append(ref)
        else:
            creds.append(f"env:{ref}")
            report.env_vars.setdefault(ref, pid)
    if creds:
        body["credentials"] = creds
    if isinstance(data.get("doc"), str) and data["doc"].startswith(("http://", "https://")):
        body["docs_url"] = data["doc"]
    labels = {"source": "models.dev", "npm": npm}
    if settings:
        labels["settings-env"] = ",".join(settings)
    body["labels"] = labels
    return body
