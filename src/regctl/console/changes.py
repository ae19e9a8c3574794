"""The changes page: the applied manifests, and the semantic diff between any two.

The diff is the plan's own (:func:`regctl.deploy.plan.semantic_diff`), grouped, signed
and worded by the plan's renderer (:mod:`regctl.deploy.render`: the same lines as
``regctl plan``, in the page's language), then laid out as HTML by a template.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from regctl.base.canonical import DIGEST_PREFIX
from regctl.base.errors import RegctlError
from regctl.base.i18n import using
from regctl.console.page import Context, Out, Problem, common, ready
from regctl.console.state import ConsoleState, manifest_document, top
from regctl.deploy.plan import Change, Plan, semantic_diff
from regctl.deploy.render import MARKDOWN_ROWS, SIGNS, field_line, grouped, headline

KEEP_DIFFS = 4
_diff_lock = threading.Lock()


@dataclass(frozen=True)
class Line:
    """One line of a rendered change: its sign (+, -, ~) and text."""

    sign: str
    text: str
    action: str


@dataclass(frozen=True)
class Section:
    title: str
    changes: list[tuple[Line, list[Line]]]
    more: int  # changes left out of the page (over MARKDOWN_ROWS)


def changes_page(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    history = state.history
    applied = history.applied() if history.available else []
    newest = list(reversed(applied))
    context = common(state, snap, "changes")
    context.update(
        history=history,
        applied=newest[:200],
        applied_total=len(applied),
        digests=_choices(snap.digest, newest),
        serving=snap.digest,
        commit=(top(snap).get("source") or {}).get("commit"),
    )
    return "changes.html.j2", context, 200


def _choices(serving: str, newest: list[Any]) -> list[tuple[str, str]]:
    """(digest, label) for the diff form: what is served, then every kept manifest."""
    seen = {serving}
    out = [(serving, "serving")]
    for a in newest:
        if a.digest not in seen:
            seen.add(a.digest)
            out.append((a.digest, a.applied_at or ""))
    return out


def _document(state: ConsoleState, snap: Any, digest: str) -> dict[str, Any]:
    if digest == snap.digest:
        return manifest_document(snap)
    if not state.history.available:
        raise Problem(404, "bad_request", f"no manifest {digest} here (no target history)")
    try:
        return state.history.manifest(digest)
    except RegctlError as exc:
        raise Problem(404, "bad_request", str(exc)) from None


def _digest(ctx: Context, name: str, default: str | None) -> str | None:
    text = ctx.param(name, 80)
    if not text:
        return default
    if not text.startswith(DIGEST_PREFIX) or not text[len(DIGEST_PREFIX) :].isalnum():
        raise Problem(400, "bad_request", f"{name} takes a manifest digest (sha256:...)")
    return text


def diff_page(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    new = _digest(ctx, "to", snap.digest) or snap.digest
    old = _digest(ctx, "from", None)
    if old is None:
        applied = state.history.applied() if state.history.available else []
        earlier = [a.digest for a in applied if a.digest != new]
        old = earlier[-1] if earlier else None
    if old is None:
        raise Problem(400, "bad_request", "nothing to compare with: pick two manifests")
    changes = _diff(state, snap, old, new)
    plan = Plan(
        environment=None,
        target="",
        target_location="",
        digest=new,
        deployed_digest=old,
        deployed_fingerprint=None,
        changed=old != new,
        changes=changes,
    )
    with using(ctx.lang):  # the renderer's words in the page's language
        sections = [_section(title, items) for title, items in grouped(plan)]
    context = common(state, snap, "changes")
    context.update(
        old=old,
        new=new,
        sections=sections,
        summary=plan.summary(),
        serving=snap.digest,
        digests=_choices(snap.digest, list(reversed(state.history.applied())))
        if state.history.available
        else [(snap.digest, "serving")],
    )
    return "diff.html.j2", context, 200


def _diff(state: ConsoleState, snap: Any, old: str, new: str) -> list[Change]:
    cache = state.diff_cache()
    with _diff_lock:
        hit = cache.get((old, new))
        if hit is not None:
            cache.move_to_end((old, new))
            return list(hit)
    changes = semantic_diff(_document(state, snap, old), _document(state, snap, new))
    with _diff_lock:
        cache[(old, new)] = changes
        while len(cache) > KEEP_DIFFS:
            cache.popitem(last=False)
    return changes


def _section(title: str, items: list[Change]) -> Section:
    from regctl.base.i18n import _

    rows = []
    for c in items[:MARKDOWN_ROWS]:
        head = Line(SIGNS[c.action], headline(c), c.action)
        fields = []
        for f in c.fields:
            sign, text = field_line(f)
            action = {"+": "create", "-": "delete", "~": "update"}[sign]
            fields.append(Line(sign, text, action))
        rows.append((head, fields))
    return Section(_(title), rows, max(0, len(items) - MARKDOWN_ROWS))
