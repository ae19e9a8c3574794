"""Render a :class:`~regctl.deploy.plan.Plan` as text (Terraform-like), JSON or Markdown.

Only what the manifest holds can appear here, and the manifest holds secret
*references* (``env:OPENAI_API_KEY``), never values, so no renderer can leak a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
import jinja2

from regctl.base.canonical import dumps_pretty
from regctl.base.i18n import N_, _, tr
from regctl.base.redact import redact
from regctl.base.textsafe import escape_control, escape_json, safe_line
from regctl.deploy.plan import MISSING, Change, Plan

SECTIONS = (
    ("environment", N_("Environment")),
    ("activation", N_("Activations")),
    ("provider", N_("Providers")),
    ("model", N_("Models")),
    ("template", N_("Templates")),
    ("default", N_("Defaults")),
    ("fallback", N_("Fallbacks")),
    ("registry", N_("Registry settings")),
)
SIGNS = {"create": "+", "delete": "-", "update": "~"}
COLOURS = {"create": "green", "delete": "red", "update": "yellow"}
MAX_VALUE = 120
#: Rows per section in Markdown: a GitHub job summary is capped at 1 MiB.
MARKDOWN_ROWS = 200


def short(digest: str | None) -> str:
    """``sha256:0123456789ab`` (12 hex digits), or ``nothing`` for no digest."""
    return digest[: len("sha256:") + 12] if digest else tr("nothing")


def value(v: Any) -> str:
    """A field value as compact JSON (strings quoted), cut to one readable line."""
    if v is MISSING:
        return "(none)"
    text = escape_control(redact(json.dumps(v, ensure_ascii=False, sort_keys=True)))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def model_name(key: Any) -> str:
    """``openai/gpt-4o`` → ``gpt-4o`` (activations are shown per provider already)."""
    return escape_control(str(key).split("/", 1)[-1]) if isinstance(key, str) else value(key)


def headline(c: Change) -> str:
    """One line for a change, without the sign (control characters escaped)."""
    return escape_control(redact(_headline(c)))


def _headline(c: Change) -> str:
    if c.kind == "activation":
        if c.action == "create":
            return f"{c.id}: {model_name(c.new)} " + tr("(activated)")
        if c.action == "delete":
            return f"{c.id}: {model_name(c.old)} " + tr("(deactivated)")
        return f"{c.id}: {model_name(c.old)} -> {model_name(c.new)}"
    if c.kind in ("default", "fallback", "environment"):
        if c.action == "create":
            return f"{c.id}: {value(c.new)}"
        if c.action == "delete":
            return f"{c.id}: {value(c.old)} " + tr("(removed)")
        return f"{c.id}: {value(c.old)} -> {value(c.new)}"
    info = details(c)
    return f"{c.kind} {c.id}" + (f" ({info})" if info else "")


def details(c: Change) -> str:
    """What a reviewer needs of an added or removed provider/model, in a few words."""
    entity = c.new if c.action == "create" else c.old
    if c.action == "update" or not isinstance(entity, dict):
        return ""
    if c.kind == "model":
        active = entity.get("active") or []
        caps = ", ".join(entity.get("capabilities") or [])
        return caps + (f"; active: {', '.join(active)}" if active else "")
    if c.kind == "provider":
        refs = ", ".join(entity.get("credentials") or []) or "none"
        return f"api {entity.get('api')}; credential references: {refs}"
    return ""


def field_line(f: Any) -> tuple[str, str]:
    """(sign, text) for one changed field."""
    if f.old is MISSING:
        sign, text = "+", f"{f.path}: {value(f.new)}"
    elif f.new is MISSING:
        sign, text = "-", f"{f.path}: {value(f.old)}"
    else:
        sign, text = "~", f"{f.path}: {value(f.old)} -> {value(f.new)}"
    if f.percent is not None:
        text += f" ({f.percent:+.1f}%)"
    if f.path == "credentials" or f.path.startswith("credentials."):
        text += "  (credential references)"
    return sign, escape_control(redact(text))


def grouped(plan: Plan) -> list[tuple[str, list[Change]]]:
    """Changes per section, in a fixed reading order, empty sections left out."""
    out = []
    for kind, title in SECTIONS:
        items = [c for c in plan.changes if c.kind == kind]
        if items:
            out.append((title, items))
    return out


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    return f"Plan: {s['add']} to add, {s['change']} to change, {s['remove']} to remove."


def render_text(plan: Plan, *, color: bool = False) -> str:
    """Terraform-like text; ANSI colours only when ``color`` (a terminal)."""

    def paint(text: str, action: str) -> str:
        return click.style(text, fg=COLOURS[action]) if color else text

    env = plan.environment or tr("(base registry)")
    lines = [
        safe_line(
            redact(tr("regctl plan: environment {env} -> {target}", env=env, target=plan.target))
        )
    ]
    lines.append("  " + tr("deployed: {digest}", digest=short(plan.deployed_digest)))
    lines.append("  " + tr("new:      {digest}", digest=short(plan.digest)))
    if plan.drift:
        warn = escape_control(redact(tr("warning: drift: {detail}", detail=plan.drift)))
        lines += ["", click.style(warn, fg="magenta", bold=True) if color else warn]
    if not plan.changed:
        lines += ["", tr("No changes. The target is up to date.")]
        return "\n".join(lines) + "\n"
    for title, items in grouped(plan):
        lines += ["", f"{_(title)}:"]
        for c in items:
            lines.append("  " + paint(f"{SIGNS[c.action]} {headline(c)}", c.action))
            for f in c.fields:
                sign, text = field_line(f)
                action = {"+": "create", "-": "delete", "~": "update"}[sign]
                lines.append("      " + paint(f"{sign} {text}", action))
    if not plan.changes:
        lines += ["", tr("Only source metadata changed (the manifest digest differs).")]
    s = plan.summary()
    summary = tr(
        "Plan: {add} to add, {change} to change, {remove} to remove.",
        add=s["add"],
        change=s["change"],
        remove=s["remove"],
    )
    lines += ["", summary]
    return "\n".join(lines) + "\n"


def render_json(plan: Plan) -> str:
    """The plan as canonical pretty JSON (without the embedded manifest), secrets masked;
    bidi and invisible characters as ``\\uXXXX`` escapes (the same data for a parser)."""
    return escape_json(redact(dumps_pretty(plan.as_dict())))


def _md(text: Any) -> str:
    """Escape a value for a Markdown table cell (inline code; pipes and newlines)."""
    s = escape_control(redact(str(text)).replace("|", "\\|").replace("`", "'"))
    return f"`{s}`" if s else ""


_FILTERS: dict[str, Callable[..., Any]] = {
    "short": short,
    "value": value,
    "md": _md,
    "esc": lambda s: escape_control(redact(str(s))),
    "headline": headline,
    "details": details,
    "field_line": field_line,
    "model_name": model_name,
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("regctl.deploy", "templates"),
        autoescape=False,  # Markdown, not HTML; cells are escaped by the md filter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(_FILTERS)
    return env


def render_markdown(plan: Plan) -> str:
    """Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY`` (templates/plan.md.j2)."""
    template = _environment().get_template("plan.md.j2")
    text = template.render(
        plan=plan,
        sections=grouped(plan),
        summary=plan.summary(),
        signs=SIGNS,
        max_rows=MARKDOWN_ROWS,
        missing=MISSING,
    )
    # Environment names, targets and drift reach the template unescaped by the md filter.
    return "\n".join(safe_line(line) for line in text.split("\n"))


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "json": render_json,
    "markdown": render_markdown,
}
