"""The console's routes, and what every page answer goes through.

Each page is a plain function run in a worker thread (Starlette runs sync endpoints
there), so the event loop keeps answering the API while a page renders; at most
:data:`MAX_RENDERS` pages render at once, and the rest wait briefly or get a 503. Every
answer passes the ``Host`` check (a DNS-rebinding page never reads the console), picks
the language (``?lang=``, ``Accept-Language``) and carries the security headers of
:mod:`regctl.console.web`. Only ``GET`` and ``HEAD``: nothing here writes.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from regctl.console import changes, pages, propose, spend_view
from regctl.console.options import ConsoleOptions
from regctl.console.page import Context, Problem
from regctl.console.state import ConsoleState
from regctl.console.web import HEADERS, PREFIX, Links, assets, choose_language, render

log = logging.getLogger("regctl.console")

MAX_RENDERS = 2
WAIT = 10.0
HTML = "text/html; charset=utf-8"
GZIP_FROM = 1400  # bytes: below one packet, compressing gains nothing
GZIP_LEVEL = 5

Page = Callable[[ConsoleState, Context], Any]


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    out = dict(HEADERS)
    out["Cache-Control"] = "no-store"  # the manifest, keys and spend change under a page
    out["Vary"] = "Accept-Language, Accept-Encoding"
    if extra:
        out.update(extra)
    return out


def console_routes(watcher: Any, options: ConsoleOptions) -> list[Route]:
    """The routes ``regctl serve`` appends after its API's."""
    state = ConsoleState(watcher, options)
    gate = threading.BoundedSemaphore(MAX_RENDERS)

    def page(build: Page) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            if not options.host_allowed(request.headers.get("host")):
                return Response(
                    "the console answers only to the names it is served as "
                    "(regctl serve --ui-allowed-host NAME)\n",
                    421,
                    headers=_headers(),
                    media_type="text/plain; charset=utf-8",
                )
            lang, chosen = choose_language(
                request.query_params.get("lang"), request.headers.get("accept-language")
            )
            ctx = Context(request, lang, Links(lang if chosen else None))
            if not gate.acquire(timeout=WAIT):
                return _error(ctx, 503, "busy")
            try:
                return _answer(state, ctx, build)
            finally:
                gate.release()

        return endpoint

    def static(request: Request) -> Response:
        asset = assets().get(request.path_params["name"])
        if asset is None:
            return Response(b"not found\n", 404, headers=_headers(), media_type="text/plain")
        headers = dict(HEADERS)
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return Response(asset.body, headers=headers, media_type=asset.media_type)

    def home(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse(PREFIX + "/" + (f"?{query}" if query else ""), 308)

    get = ["GET", "HEAD"]
    table: list[tuple[str, Page]] = [
        ("/", pages.overview),
        ("/providers", pages.providers),
        ("/models", pages.models),
        ("/models/{key:path}", pages.model),
        ("/changes", changes.changes_page),
        ("/changes/diff", changes.diff_page),
        ("/spend", spend_view.spend_page),
        ("/spend/chart.svg", spend_view.spend_chart),
        ("/spend/burndown.svg", spend_view.burndown_chart),
        ("/propose", propose.propose_page),
        ("/propose.patch", propose.propose_patch),
        ("/{rest:path}", pages.not_found),
    ]
    return [
        Route(PREFIX, home, methods=get),
        Route(PREFIX + "/static/{name}", static, methods=get),
        *(Route(PREFIX + path, page(build), methods=get) for path, build in table),
    ]


def _answer(state: ConsoleState, ctx: Context, build: Page) -> Response:
    try:
        out = build(state, ctx)
    except Problem as exc:
        return _error(ctx, exc.status, exc.kind, exc.detail)
    except Exception:  # a page bug must not become a traceback in a browser
        log.exception("console page failed", extra={"fields": {"path": ctx.request.url.path}})
        return _error(ctx, 500, "internal")
    if isinstance(out, Response):
        out.headers.update(_headers())
        return out
    template, context, status = out
    html = render(template, ctx.lang, **_chrome(ctx), **context)
    return _html(ctx, html, status)


def _html(ctx: Context, html: str, status: int) -> Response:
    """A page, gzipped when the browser takes it (a 5,000-model table shrinks ~8x):
    ``mtime=0``, so the same page is the same bytes."""
    body = html.encode("utf-8")
    headers = _headers()
    if len(body) > GZIP_FROM and "gzip" in ctx.request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status, headers=headers, media_type=HTML)


def _chrome(ctx: Context) -> dict[str, Any]:
    """What the page frame needs: links, and this page in another language."""
    request = ctx.request
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "partial")]

    def lang_url(code: str) -> str:
        return request.url.path + "?" + urlencode([*keep, ("lang", code)])

    return {"url": ctx.links, "path": request.url.path, "lang_url": lang_url}


def _error(ctx: Context, status: int, kind: str, detail: str | None = None) -> Response:
    html = render(
        "error.html.j2",
        ctx.lang,
        **_chrome(ctx),
        section="",
        status=status,
        kind=kind,
        detail=detail,
        snap=None,
        title=str(status),
    )
    return _html(ctx, html, status)
