"""The pages: each takes the console's state and the request, and gives a template and
what it shows (or a ready response). Changes, spend and propose live in their own
modules; this one holds the manifest's own pages."""

from __future__ import annotations

from typing import Any

from regctl.client.errors import ClientError
from regctl.console import catalog as cat
from regctl.console.page import Context, Out, Problem, common, ready, today, warn_days
from regctl.console.snippets import call_snippets
from regctl.console.state import ConsoleState, top


def overview(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    reg = snap.registry
    rows = state.catalog(snap).rows
    now = today()
    warn = warn_days(snap)
    soon = [r for r in rows if r.retires is not None and 0 <= (r.retires - now).days <= warn]
    active = []
    for pid, p in sorted(reg.providers.items()):
        for cap in sorted(reg.capabilities):
            m = reg.active_model(pid, cap) if p.enabled else None
            if m is not None:
                default = reg.defaults.get(cap) == pid
                active.append((p, cap, m, default))
    active.sort(key=lambda a: (a[1], not a[3], a[0].id))
    source = top(snap).get("source") or {}
    context = common(state, snap, "overview")
    context.update(
        providers=len(reg.providers),
        models=len(rows),
        active=active,
        retiring=sorted(soon, key=lambda r: (r.retires, r.key))[:20],
        retiring_total=len(soon),
        commit=source.get("commit") if isinstance(source, dict) else None,
        fallbacks=reg.fallbacks,
    )
    return "overview.html.j2", context, 200


def providers(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    reg = snap.registry
    table = state.catalog(snap)
    counts = table.provider_counts
    rows = []
    for pid, p in sorted(reg.providers.items()):
        rows.append(
            {
                "p": p,
                "name": p.display_name_for(ctx.lang),
                "models": counts.get(pid, 0),
                "active": table.active_counts.get(pid, 0),
                "key": state.keys.get(p),
                "docs": _http_link(p.docs_url),
            }
        )
    context = common(state, snap, "providers")
    context.update(rows=rows)
    return "providers.html.j2", context, 200


def _http_link(url: Any) -> str | None:
    """``url`` when it is a plain http(s) link (a ``javascript:`` one is shown as text)."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def models(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    table = state.catalog(snap)
    q = cat.Query.parse(ctx.request.query_params)
    page = table.query(q)
    context = common(state, snap, "models")
    context.update(
        q=q,
        page=page,
        catalog=table,
        per_page=cat.PER_PAGE,
        providers=[
            (pid, snap.registry.providers[pid].display_name_for(ctx.lang), n)
            for pid, n in table.provider_counts.items()
            if pid in snap.registry.providers
        ],
        capabilities=table.capabilities,
    )
    if ctx.param("partial") == "1":
        return "models_results.html.j2", context, 200
    return "models.html.j2", context, 200


def model(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    reg = snap.registry
    key = ctx.request.path_params["key"]
    try:
        m = reg.model(key)
    except ClientError:
        raise Problem(404, "unknown_model", key) from None
    p = reg.provider(m.provider)
    pinned, resolving = [], []
    for tid, t in sorted(reg.templates.items()):
        if t.get("model") == m.key:
            pinned.append((tid, t))
        try:
            if reg.resolve(t.get("capability") or "chat", template=tid).model.key == m.key:
                resolving.append(tid)
        except ClientError:
            pass
    history = state.history
    prices = history.prices
    done, listed = prices.status() if history.available else (0, 0)
    row = next((r for r in state.catalog(snap).rows if r.key == m.key), None)
    entry = snap.registry._state.data.model_entry(m.key)
    context = common(state, snap, "models", m.display_name_for(ctx.lang))
    context.update(
        m=m,
        p=p,
        row=row,
        name=m.display_name_for(ctx.lang),
        entry=entry,
        docs=_http_link(m.docs_url),
        inactive=[c for c in m.capabilities if c not in m.active],
        pinned=pinned,
        resolving=resolving,
        history=history,
        price_points=prices.points(m.key) if history.available else [],
        prices_read=(done, listed),
        snippets=call_snippets(m, p, ctx.param("capability") or None),
    )
    return "model.html.j2", context, 200


def not_found(state: ConsoleState, ctx: Context) -> Out:
    raise Problem(404, "not_found", ctx.request.url.path)
