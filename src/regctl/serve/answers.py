"""Every answer of the read API, as bytes: built once here for serve and for the static export.

``regctl serve`` (its Starlette handlers and its precomputed fast table) and
``regctl export static`` both call these functions, so a route answers the same
bytes from either by construction. Standard library and :mod:`regctl.client` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from regctl.base import i18n
from regctl.client import Model, Registry, Resolved
from regctl.client.errors import ClientError, NoActiveModel, ResolutionError


class Snapshot(Protocol):
    """What an answer is built from (:class:`regctl.serve.watcher.Snapshot` is one)."""

    registry: Registry
    digest: str
    manifest_bytes: bytes
    day: str
    """The UTC day (``YYYY-MM-DD``) its answers compare deprecation dates with."""


ACTIVE = "/v1/providers/{provider}/active"
PROVIDER_MODELS = "/v1/providers/{provider}/models"
MODELS = "/v1/models"
RESOLVE = "/v1/resolve"
CANDIDATES = "/v1/candidates"
MANIFEST = "/v1/manifest"


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: status, JSON body, the route template (metrics), the digest header and
    the language of its messages (``Content-Language``; ``None``: no language header)."""

    status: int
    body: bytes
    route: str
    digest: str | None
    language: str | None = None


def language(locale: str | None) -> str:
    """The catalogue language for ``locale`` (``fa-IR`` -> ``fa``; ``en`` when none has one)."""
    return i18n.catalog(locale)[0]


def said(text: object, locale: str | None) -> str:
    """A client message (a :class:`~regctl.base.i18n.Msg`) in ``locale``."""
    return i18n.translate(text, locale) if isinstance(text, str) else str(text)


def dumps(data: Any) -> bytes:
    """Compact JSON, UTF-8: the encoding of every /v1 body."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_code(exc: Exception) -> str:
    """The client's stable error code (``unknown_provider``; docs/resolution.md)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        return code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def error(
    exc: ClientError,
    snap: Snapshot | None,
    route: str,
    missing: dict[str, Any],
    locale: str | None = None,
) -> Answer:
    """The JSON error answer (404 for resolution errors, 400 for a bad question), its
    message in ``locale``; the code never changes with the language."""
    code = error_code(exc)
    status = 400 if code == "bad_request" else 404 if isinstance(exc, ResolutionError) else 500
    message = said(exc.args[0], locale) if len(exc.args) == 1 else str(exc)
    body = {"error": {"code": code, "message": message, "missing": missing}}
    digest = snap.digest if snap is not None else None
    return Answer(status, dumps(body), route, digest, language(locale))


def bad_request(message: str, route: str, locale: str | None = None) -> Answer:
    """400 with the JSON error body (a query parameter with a bad value)."""
    body = {"error": {"code": "bad_request", "message": said(message, locale)}}
    return Answer(400, dumps(body), route, None, language(locale))


def model_dict(model: Model, locale: str | None) -> dict[str, Any]:
    """``Model.as_dict()`` with ``display_name`` in ``locale`` (``display_names`` has them all)."""
    data = model.as_dict()
    if locale and model.display_names:
        data["display_name"] = model.display_name_for(locale)
    return data


def active(snap: Snapshot, provider: str, capability: str, locale: str | None) -> Answer:
    """``GET /v1/providers/{provider}/active?capability=``."""
    try:
        model = snap.registry.active_model(provider, capability)
        if model is None:
            raise NoActiveModel(
                i18n.msg(
                    "provider '{provider}' has no active model for capability '{capability}'",
                    provider=provider,
                    capability=capability,
                )
            )
    except ClientError as exc:
        missing = {"provider": provider, "capability": capability}
        return error(exc, snap, ACTIVE, missing, locale)
    body = {
        "digest": snap.digest,
        "provider": provider,
        "capability": capability,
        "model": model_dict(model, locale),
    }
    return Answer(200, dumps(body), ACTIVE, snap.digest, language(locale))


def provider_models(
    snap: Snapshot,
    provider: str,
    locale: str | None,
    capability: str | None = None,
    active_flag: bool | None = None,
) -> Answer:
    """``GET /v1/providers/{provider}/models?capability=&active=``: the provider (never its
    credentials) and its models, filtered as ``/v1/models`` filters."""
    try:
        p = snap.registry.provider(provider)
        found = snap.registry.models(provider, capability, active_flag)
    except ClientError as exc:
        missing = {"provider": provider, "capability": capability}
        return error(exc, snap, PROVIDER_MODELS, missing, locale)
    # Credentials are left out on purpose: clients of this API never need them. Whether
    # shared keys may be used at all is theirs to know (docs/resolution.md, "Keys").
    summary = {
        "id": p.id,
        "display_name": p.display_name_for(locale),
        "display_names": dict(p.display_names),
        "api": p.api,
        "base_url": p.base_url,
        "enabled": p.enabled,
        "allow_shared_credentials": p.allow_shared_credentials,
    }
    body = {
        "digest": snap.digest,
        "provider": summary,
        "models": [model_dict(m, locale) for m in found],
    }
    return Answer(200, dumps(body), PROVIDER_MODELS, snap.digest, language(locale))


def models(
    snap: Snapshot,
    provider: str | None,
    capability: str | None,
    active_flag: bool | None,
    locale: str | None,
) -> Answer:
    """``GET /v1/models?provider=&capability=&active=``."""
    try:
        found = snap.registry.models(provider, capability, active_flag)
    except ClientError as exc:
        missing = {"provider": provider, "capability": capability}
        return error(exc, snap, MODELS, missing, locale)
    body = {"digest": snap.digest, "models": [model_dict(m, locale) for m in found]}
    return Answer(200, dumps(body), MODELS, snap.digest, language(locale))


def resolved_dict(chosen: Resolved, locale: str | None) -> dict[str, Any]:
    """``Resolved.as_dict()`` with the model's name and the warnings in ``locale``."""
    out = chosen.as_dict()
    out["display_name"] = chosen.model.display_name_for(locale)
    out["warnings"] = [
        {"code": w.code, "message": said(w.message, locale)} for w in chosen.warnings
    ]
    return out


def _missing(query: dict[str, Any]) -> dict[str, Any]:
    return {k: query.get(k) for k in ("capability", "provider", "model", "template")}


def resolve(snap: Snapshot, query: dict[str, Any], locale: str | None) -> Answer:
    """``GET /v1/resolve?...``: ``query`` holds :meth:`Registry.resolve`'s arguments."""
    try:
        chosen = snap.registry.resolve(**query)
    except ClientError as exc:
        return error(exc, snap, RESOLVE, _missing(query), locale)
    body = {"digest": snap.digest, "resolved": resolved_dict(chosen, locale)}
    return Answer(200, dumps(body), RESOLVE, snap.digest, language(locale))


def candidates(snap: Snapshot, query: dict[str, Any], locale: str | None) -> Answer:
    """``GET /v1/candidates?...``: every answer ``/v1/resolve`` could give, best first."""
    try:
        found = snap.registry.candidates(**query)
    except ClientError as exc:
        return error(exc, snap, CANDIDATES, _missing(query), locale)
    body = {"digest": snap.digest, "candidates": [resolved_dict(r, locale) for r in found]}
    return Answer(200, dumps(body), CANDIDATES, snap.digest, language(locale))


def locales(snap: Snapshot) -> list[str]:
    """Every language tag a name in the manifest has (``display_names`` keys), sorted."""
    tags: set[str] = set()
    for p in snap.registry.providers.values():
        tags.update(p.display_names)
    for m in snap.registry.models():
        tags.update(m.display_names)
    return sorted(tags)


def _q(**params: str | None) -> str:
    """A canonical query string: parameters in this order, empty ones left out."""
    pairs = [f"{k}={v}" for k, v in params.items() if v is not None]
    return "?" + "&".join(pairs) if pairs else ""


def routes(snap: Snapshot, *, listings: bool = True) -> Iterator[tuple[str, str, Answer]]:
    """Every successful read-API answer: ``(target, static file, answer)``.

    ``target`` is the request serve answers (path and canonical query), ``static file``
    the path the static export writes it to. Per locale of :func:`locales` too
    (``&lang=`` / ``lang/TAG/``). Names that are not safe as one URL path segment are
    left out (the manifest's schema never produces them). ``listings=False`` leaves out
    ``/v1/models`` and ``/v1/providers/{p}/models`` (large; serve computes them per request).
    """
    reg = snap.registry
    providers = [p for p in sorted(reg.providers) if safe_segment(p)]
    caps = [c for c in sorted(reg.capabilities) if safe_segment(c)]
    templates = [t for t in sorted(reg.templates) if safe_segment(t)]
    yield MANIFEST, "v1/manifest.json", Answer(200, snap.manifest_bytes, MANIFEST, snap.digest)
    for locale in [None, *(t for t in locales(snap) if safe_segment(t))]:
        prefix = f"lang/{locale}/" if locale else ""
        found: list[tuple[str, str, Answer]] = []
        for p in providers:
            for c in caps:
                found.append(
                    (
                        f"/v1/providers/{p}/active" + _q(capability=c, lang=locale),
                        f"v1/providers/{p}/active/{c}.json",
                        active(snap, p, c, locale),
                    )
                )
        for c in caps:
            found.append(
                (
                    RESOLVE + _q(capability=c, lang=locale),
                    f"v1/resolve/capability/{c}.json",
                    resolve(snap, {"capability": c, "today": snap.day}, locale),
                )
            )
            for p in providers:
                found.append(
                    (
                        RESOLVE + _q(capability=c, provider=p, lang=locale),
                        f"v1/resolve/capability/{c}/provider/{p}.json",
                        resolve(snap, {"capability": c, "provider": p, "today": snap.day}, locale),
                    )
                )
        for t in templates:
            found.append(
                (
                    RESOLVE + _q(template=t, lang=locale),
                    f"v1/resolve/template/{t}.json",
                    resolve(snap, {"template": t, "today": snap.day}, locale),
                )
            )
        if listings:
            found.extend(_listings(snap, providers, caps, locale))
        for target, path, answer in found:
            if answer.status == 200:
                yield target, prefix + path, answer


def _listings(
    snap: Snapshot, providers: list[str], caps: list[str], locale: str | None
) -> Iterator[tuple[str, str, Answer]]:
    for p in providers:
        yield (
            f"/v1/providers/{p}/models" + _q(lang=locale),
            f"v1/providers/{p}/models.json",
            provider_models(snap, p, locale),
        )
    flags: list[tuple[str | None, bool | None]] = [(None, None), ("true", True), ("false", False)]
    for p_opt in [None, *providers]:
        for c_opt in [None, *caps]:
            for word, flag in flags:
                target = MODELS + _q(provider=p_opt, capability=c_opt, active=word, lang=locale)
                path = (
                    f"v1/models/provider/{p_opt or '_all'}/capability/{c_opt or '_all'}"
                    f"/active/{word or '_all'}.json"
                )
                yield target, path, models(snap, p_opt, c_opt, flag, locale)


_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def safe_segment(name: str) -> bool:
    """A name usable as-is in a URL path and a file name (no ``/``, ``..``, ``%``, spaces)."""
    return bool(_SEGMENT.fullmatch(name)) and ".." not in name and not name.startswith("_")
