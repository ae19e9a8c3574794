"""Prompt templates from the command line: resolve a template's model in a manifest,
render it with variables, and smoke-test every template with example values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regctl.base.errors import RegctlError


def pin_problem(manifest: dict[str, Any], ref: str, today: dt.date | None = None) -> str | None:
    """Why a template's pinned ``provider/model`` cannot serve, or ``None`` when it can.

    The same test as the runtime client's: the provider is disabled, the model is active
    for nothing, or it is past its ``deprecated`` date. An unknown pin is the ``template``
    rule's ``unknown-reference`` and reported there, so it gives ``None`` here.
    """
    m = manifest.get("models", {}).get(ref)
    if m is None:
        return None
    provider = manifest.get("providers", {}).get(m.get("provider"), {})
    if provider.get("enabled", True) is False:
        return f"belongs to disabled provider '{m.get('provider')}'"
    if not m.get("active"):
        return "is inactive"
    day = (today or dt.date.today()).isoformat()
    if m.get("deprecated") and m["deprecated"] <= day:
        return f"is deprecated since {m['deprecated']}"
    return None


def resolve_template_model(
    manifest: dict[str, Any],
    entry: dict[str, Any],
    provider: str | None = None,
    today: dt.date | None = None,
) -> str | None:
    """The ``provider/model`` a template runs on, following the client's resolution order.

    The template's pinned model while it can serve (see :func:`pin_problem`), else the
    active model for its capability of ``provider`` (if given), of the registry default
    provider, then of the fallbacks.
    """
    pin = entry.get("model")
    if pin and pin_problem(manifest, str(pin), today) is None:
        return str(pin)
    cap = entry.get("capability")
    if not cap:
        return None
    active = manifest.get("active", {})
    candidates = [provider] if provider else []
    default = manifest.get("defaults", {}).get(cap)
    if not provider:
        candidates += [default] if default else []
        candidates += list(manifest.get("fallbacks", {}).get(cap, []))
    for p in candidates:
        ref = active.get(p, {}).get(cap)
        if ref:
            return str(ref)
    return None


def takes_system_prompt(manifest: dict[str, Any], ref: str | None) -> bool:
    """False only for a model with ``supports.system_prompt: false``."""
    m = manifest.get("models", {}).get(ref or "", {})
    return (m.get("supports") or {}).get("system_prompt") is not False


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """``k=v`` strings from ``--var`` into a dict (values stay strings)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RegctlError(f"--var expects NAME=VALUE, got '{pair}'")
        out[key] = value
    return out


def get_template(manifest: dict[str, Any], tid: str) -> dict[str, Any]:
    """The manifest entry of template ``tid`` or a clear error naming the known ones."""
    templates = manifest.get("templates", {})
    if tid not in templates:
        known = ", ".join(sorted(templates)) or "none"
        raise RegctlError(f"no template '{tid}' in the registry (known: {known})")
    entry: dict[str, Any] = templates[tid]
    return entry


def example_values(entry: dict[str, Any]) -> dict[str, Any]:
    """Values for a smoke render: the default, an ``example`` if declared, else ``<name>``."""
    out: dict[str, Any] = {}
    for name, spec in (entry.get("variables") or {}).items():
        spec = spec or {}
        if spec.get("default") is not None:
            continue  # the renderer fills defaults itself
        out[name] = spec.get("example", f"<{name}>")
    return out


@dataclass(frozen=True)
class TemplateTest:
    """The outcome of rendering one template with example values."""

    id: str
    model: str | None
    error: str | None


def test_templates(manifest: dict[str, Any]) -> list[TemplateTest]:
    """Render every template of ``manifest``; a template fails if it cannot be rendered or
    no model resolves for it."""
    from regctl.client.render import RenderError, render

    results = []
    for tid, entry in sorted(manifest.get("templates", {}).items()):
        model = resolve_template_model(manifest, entry)
        error = None
        try:
            render(
                entry,
                model,
                example_values(entry),
                system_prompt=takes_system_prompt(manifest, model),
            )
        except RenderError as exc:
            error = str(exc)
        if error is None and model is None:
            error = f"no active model for capability '{entry.get('capability')}'"
        results.append(TemplateTest(tid, model, error))
    return results
