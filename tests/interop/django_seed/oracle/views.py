"""The seed's JSON API (the routes docs/migrate-from-django.md maps onto `regctl serve`),
over whichever seed app is installed. Answers come from the seed's own AIService."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

APP = next(a for a in settings.INSTALLED_APPS if a.startswith("seed"))
m = importlib.import_module(f"{APP}.models")
svc = importlib.import_module(f"{APP}.service")
SLUG = APP == "seed003"
NOT_FOUND = {"error": "no active model"}


def _provider(ident: str) -> Any:
    return m.AIProvider.objects.filter(**{"slug" if SLUG else "name": ident}).first()


def _ident(p: Any) -> str:
    return str(p.slug if SLUG else p.name)


def _model(row: Any) -> dict[str, Any]:
    body = {
        "id": row.pk,
        "provider": _ident(row.provider),
        "name": row.name,
        "display_name": row.name if SLUG else row.display_name,
        "is_active": row.is_active,
        "is_default": row.is_default,
        "context_window": row.context_window,
        "max_tokens": row.max_tokens,
    }
    if SLUG:
        body |= {"model_id": row.model_id, "capability": row.capability}
    else:
        body["capabilities"] = row.capabilities
    return body


def providers(request: HttpRequest) -> JsonResponse:
    rows = m.AIProvider.objects.filter(is_active=True).order_by("pk")
    out = [
        {"id": p.pk, "name": p.name, "display_name": getattr(p, "display_name", p.name),
         "is_default": p.is_default, **({"slug": p.slug} if SLUG else {})}
        for p in rows
    ]  # fmt: skip
    return JsonResponse({"providers": out})


def provider_models(request: HttpRequest, ident: str) -> JsonResponse:
    p = _provider(ident)
    if p is None:
        return JsonResponse({"error": "provider not found"}, status=404)
    cap = request.GET.get("capability")
    rows = m.AIModel.objects.filter(provider=p).order_by("pk")
    if cap:
        rows = [r for r in rows if cap in ([r.capability] if SLUG else r.capabilities)]
    return JsonResponse({"provider": ident, "models": [_model(r) for r in rows]})


def active_model(request: HttpRequest, ident: str) -> JsonResponse:
    cap = request.GET.get("capability") or "chat"
    try:
        row = svc.AIService(provider_name=ident, capability=cap).select_model()
    except svc.NoActiveModel:
        return JsonResponse(NOT_FOUND, status=404)
    return JsonResponse(_model(row))


def select(request: HttpRequest) -> JsonResponse:
    q = request.GET
    try:
        row = svc.AIService(
            provider_name=q.get("provider") or None,
            model_name=q.get("model") or None,
            template=q.get("template") or None,
            capability=q.get("capability") or "chat",
        ).select_model()
    except svc.NoActiveModel:
        return JsonResponse(NOT_FOUND, status=404)
    return JsonResponse(_model(row))
