"""The Starlette application: read-only JSON endpoints over a :class:`ManifestWatcher`.

The bodies come from :mod:`regctl.serve.answers` (shared with the static export); the
most asked answers are also served straight from the snapshot's table by
:mod:`regctl.serve.protocol` without reaching this app, with the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from regctl.base.i18n import msg
from regctl.client.errors import BadQuery
from regctl.client.query import parse_flag, parse_needs, parse_params
from regctl.serve import answers
from regctl.serve.answers import Answer, Snapshot
from regctl.serve.metrics import AccessLog, Metrics, Observe
from regctl.serve.openapi import openapi_document
from regctl.serve.watcher import ManifestWatcher

JSON = "application/json"


def respond(answer: Answer) -> Response:
    """The HTTP response of an answer (the digest header on every /v1 answer that has one,
    and the language of its messages)."""
    headers = {}
    if answer.digest is not None:
        headers["X-Regctl-Digest"] = answer.digest
    if answer.language is not None:
        headers["Content-Language"] = answer.language
    return Response(answer.body, answer.status, headers=headers or None, media_type=JSON)


def _json(data: Any, status: int = 200) -> Response:
    return Response(answers.dumps(data), status, media_type=JSON)


_NAMES = ("capability", "provider", "model", "template")


def question(params: Any) -> dict[str, Any]:
    """:meth:`Registry.resolve`'s arguments from a query string (docs/resolution.md,
    "Inputs"); :class:`BadQuery` for a malformed one. An empty name is no name; an empty
    ``prefer``, ``scope`` or ``today`` is a bad value (they have a grammar)."""
    out: dict[str, Any] = {k: params.get(k) or None for k in _NAMES}
    out["capability"] = out["capability"] or "chat"
    out["prefer"] = params.get("prefer")
    out["scope"] = params.get("scope", "order")
    out["today"] = params.get("today")
    out["fallback"] = parse_flag(params.get("fallback"), "fallback")
    out["strict"] = bool(parse_flag(params.get("strict"), "strict"))
    out["needs"] = parse_needs(params.getlist("need"))
    out["params"] = parse_params(params.getlist("param")) or None
    return out


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


def build_app(
    watcher: ManifestWatcher,
    access: AccessLog | None = None,
    metrics: Metrics | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Any:
    """The ASGI app (Starlette wrapped in the metrics/access-log middleware).

    ``extra_routes`` come after the API's own (the CLI mounts the web console there):
    they can never shadow an API route, and an API request never reaches them.
    """
    metrics = metrics if metrics is not None else Metrics()

    def not_ready(request: Request) -> Response:
        """503 before the first good manifest, its message in the caller's language."""
        locale = _locale(request)
        message = answers.said(msg("no good manifest loaded yet"), locale)
        body = {"error": {"code": "not_ready", "message": message}}
        headers = {"Content-Language": answers.language(locale)}
        return Response(answers.dumps(body), 503, headers=headers, media_type=JSON)

    async def active(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return not_ready(request)
        provider = request.path_params["provider"]
        capability = request.query_params.get("capability") or "chat"
        return respond(answers.active(snap, provider, capability, _locale(request)))

    async def provider_models(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return not_ready(request)
        q, locale = request.query_params, _locale(request)
        provider = request.path_params["provider"]
        try:
            active_flag = parse_flag(q.get("active"), "active")
        except BadQuery as exc:
            return respond(answers.error(exc, snap, answers.PROVIDER_MODELS, {}, locale))
        capability = q.get("capability") or None
        return respond(answers.provider_models(snap, provider, locale, capability, active_flag))

    async def models(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return not_ready(request)
        q, locale = request.query_params, _locale(request)
        try:
            active_flag = parse_flag(q.get("active"), "active")
        except BadQuery as exc:
            return respond(answers.error(exc, snap, answers.MODELS, {}, locale))
        provider = q.get("provider") or None
        capability = q.get("capability") or None
        return respond(answers.models(snap, provider, capability, active_flag, locale))

    def asking(
        path: str, answer: Callable[[Snapshot, dict[str, Any], str | None], Answer]
    ) -> Callable[[Request], Awaitable[Response]]:
        """The handler of a question endpoint (``resolve``, ``candidates``): the query
        string as :func:`question`'s arguments, answered by ``answer``."""

        async def handler(request: Request) -> Response:
            snap = watcher.snapshot
            if snap is None:
                return not_ready(request)
            locale = _locale(request)
            try:
                query = question(request.query_params)
            except BadQuery as exc:
                return respond(answers.error(exc, snap, path, {}, locale))
            return respond(answer(snap, query, locale))

        handler.__name__ = answer.__name__  # the route's name, as a handler of its own had
        return handler

    resolve = asking(answers.RESOLVE, answers.resolve)
    candidates = asking(answers.CANDIDATES, answers.candidates)

    async def manifest(request: Request) -> Response:
        snap = watcher.snapshot
        if snap is None:
            return not_ready(request)
        # Revalidate every time: the manifest can change on any reload.
        headers = {"ETag": snap.etag, "Cache-Control": "no-cache", "X-Regctl-Digest": snap.digest}
        wanted = request.headers.get("if-none-match")
        if wanted is not None and _etag_matches(wanted, snap.etag):
            return Response(None, 304, headers=headers)
        return Response(snap.manifest_bytes, 200, headers=headers, media_type=JSON)

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # The load error in the caller's language (?lang=, Accept-Language); its code never
        # changes with it (docs/serve.md, "/readyz").
        locale = _locale(request)
        headers = {"Content-Language": answers.language(locale)}
        snap = watcher.snapshot
        if snap is None:
            error = watcher.error_in(locale) or answers.said(msg("first load in progress"), locale)
            waiting = {"ready": False, "code": watcher.error_code, "error": error}
            return Response(answers.dumps(waiting), 503, headers=headers, media_type=JSON)
        body = {
            "ready": True,
            "digest": snap.digest,
            "last_error": watcher.error_in(locale),
            "last_error_code": watcher.error_code,
            "reload_failures": watcher.failures,
        }
        return Response(answers.dumps(body), 200, headers=headers, media_type=JSON)

    async def prometheus(request: Request) -> Response:
        text = metrics.render(watcher)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def openapi(request: Request) -> Response:
        snap = watcher.snapshot
        return _json(openapi_document(snap.registry.capabilities if snap is not None else ()))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        body = {"error": {"code": f"http_{status}", "message": detail}}
        # Starlette's 405 carries "Allow" (RFC 9110 requires it): keep its headers.
        headers = getattr(exc, "headers", None)
        return Response(answers.dumps(body), status, headers=headers, media_type=JSON)

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
        Route(answers.ACTIVE, active, methods=["GET"]),
        Route(answers.PROVIDER_MODELS, provider_models, methods=["GET"]),
        Route(answers.MODELS, models, methods=["GET"]),
        Route(answers.RESOLVE, resolve, methods=["GET"]),
        Route(answers.CANDIDATES, candidates, methods=["GET"]),
        Route(answers.MANIFEST, manifest, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        *extra_routes,
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
