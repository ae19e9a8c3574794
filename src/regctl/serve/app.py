"""The Starlette application: read-only JSON endpoints over a :class:`ManifestWatcher`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from regctl.client.errors import ClientError, ResolutionError
from regctl.serve.metrics import AccessLog, Metrics, Observe
from regctl.serve.openapi import openapi_document
from regctl.serve.watcher import ManifestWatcher, Snapshot, model_dict

JSON = "application/json"
_NOT_READY = json.dumps(
    {"error": {"code": "not_ready", "message": "no good manifest loaded yet"}}
).encode()


def _json(data: Any, status: int = 200, snap: Snapshot | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _raw(body, status, snap)


def _raw(body: bytes, status: int = 200, snap: Snapshot | None = None) -> Response:
    headers = {"X-Regctl-Digest": snap.digest} if snap is not None else None
    return Response(body, status, headers=headers, media_type=JSON)


def _code(exc: Exception) -> str:
    """``UnknownProvider`` -> ``unknown_provider``: a stable machine-readable error code."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def _error(exc: ClientError, snap: Snapshot, missing: dict[str, str | None]) -> Response:
    status = 404 if isinstance(exc, ResolutionError) else 500
    error = {"code": _code(exc), "message": str(exc), "missing": missing}
    return _json({"error": error}, status, snap)


def _bad_request(message: str) -> Response:
    return _json({"error": {"code": "bad_request", "message": message}}, 400)


def _flag(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"query parameter {name!r} must be true or false, not {value!r}")


def _locale(request: Request) -> str | None:
    """``?lang=`` or the first language of ``Accept-Language`` (names only; JSON keys and
    error codes never change)."""
    lang = request.query_params.get("lang")
    if lang:
        return lang
    header = request.headers.get("accept-language")
    if not header:
        return None
    first = header.split(",")[0].split(";")[0].strip()
    return first if first and first != "*" else None


def _provider_summary(snap: Snapshot, pid: str, locale: str | None) -> dict[str, Any]:
    p = snap.registry.provider(pid)
    # Credentials are left out on purpose: clients of this API never need them.
    return {
        "id": p.id,
        "display_name": p.display_name_for(locale),
        "display_names": dict(p.display_names),
        "api": p.api,
        "base_url": p.base_url,
        "enabled": p.enabled,
    }


def build_app(watcher: ManifestWatcher, access: AccessLog | None = None) -> Any:
    """The ASGI app (Starlette wrapped in the metrics/access-log middleware)."""
    metrics = Metrics()

    async def active(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return _raw(_NOT_READY, 503)
        provider = request.path_params["provider"]
        capability = request.query_params.get("capability") or "chat"
        try:
            return _raw(snap.active_body(provider, capability, _locale(request)), 200, snap)
        except ClientError as exc:
            return _error(exc, snap, {"provider": provider, "capability": capability})

    async def provider_models(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return _raw(_NOT_READY, 503)
        provider = request.path_params["provider"]
        try:
            models = snap.registry.models(provider=provider)
            summary = _provider_summary(snap, provider, _locale(request))
        except ClientError as exc:
            return _error(exc, snap, {"provider": provider})
        body = {
            "digest": snap.digest,
            "provider": summary,
            "models": [model_dict(m, _locale(request)) for m in models],
        }
        return _json(body, 200, snap)

    async def models(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return _raw(_NOT_READY, 503)
        q = request.query_params
        try:
            active_flag = _flag(q.get("active"), "active")
        except ValueError as exc:
            return _bad_request(str(exc))
        provider = q.get("provider") or None
        capability = q.get("capability") or None
        try:
            found = snap.registry.models(provider, capability, active_flag)
        except ClientError as exc:
            return _error(exc, snap, {"provider": provider, "capability": capability})
        locale = _locale(request)
        body = {"digest": snap.digest, "models": [model_dict(m, locale) for m in found]}
        return _json(body, 200, snap)

    async def resolve(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return _raw(_NOT_READY, 503)
        q = request.query_params
        args = {k: q.get(k) or None for k in ("capability", "provider", "model", "template")}
        try:
            fallback = _flag(q.get("fallback"), "fallback")
        except ValueError as exc:
            return _bad_request(str(exc))
        try:
            chosen = snap.registry.resolve(
                args["capability"] or "chat",
                provider=args["provider"],
                model=args["model"],
                template=args["template"],
                fallback=fallback,
            )
        except ClientError as exc:
            return _error(exc, snap, args)
        resolved = chosen.as_dict()
        resolved["display_name"] = chosen.model.display_name_for(_locale(request))
        return _json({"digest": snap.digest, "resolved": resolved}, 200, snap)

    async def manifest(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return _raw(_NOT_READY, 503)
        # Revalidate every time: the manifest can change on any reload.
        headers = {"ETag": snap.etag, "Cache-Control": "no-cache", "X-Regctl-Digest": snap.digest}
        wanted = request.headers.get("if-none-match")
        if wanted is not None and _etag_matches(wanted, snap.etag):
            return Response(None, 304, headers=headers)
        return Response(snap.manifest_bytes, 200, headers=headers, media_type=JSON)

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            body = {"ready": False, "error": watcher.last_error or "first load in progress"}
            return _json(body, 503)
        return _json({"ready": True, "digest": snap.digest, "last_error": watcher.last_error})

    async def prometheus(request: Request) -> Response:
        text = metrics.render(watcher)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def openapi(request: Request) -> Response:
        return _json(openapi_document())

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        body = {"error": {"code": f"http_{status}", "message": detail}}
        return _json(body, status)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher.start()
        flusher = asyncio.create_task(_flush_every(access, 0.25)) if access else None
        try:
            yield
        finally:
            if flusher is not None:
                flusher.cancel()
                access.flush()  # type: ignore[union-attr]
            watcher.stop()

    routes = [
        Route("/v1/providers/{provider}/active", active, methods=["GET"]),
        Route("/v1/providers/{provider}/models", provider_models, methods=["GET"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/resolve", resolve, methods=["GET"]),
        Route("/v1/manifest", manifest, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error},
    )
    return Observe(app, metrics, access)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


async def _flush_every(access: AccessLog, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        access.flush()
