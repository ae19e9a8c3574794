"""Rendering a compiled prompt template (a manifest ``templates`` entry) into chat messages.

The client imports only the standard library at import time; Jinja2 is imported inside
:func:`render`, so an application that never renders a template never needs it.
Templates run in Jinja2's immutable sandbox with ``StrictUndefined``: a template cannot
reach Python internals, and a missing variable is an error instead of an empty string.
Limits on output size, calls, loops, widths and recursion (:mod:`regctl.client._sandbox`)
make a hostile template a :class:`RenderError`, never a ``MemoryError`` or a hang.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from regctl.client.errors import ClientError

__all__ = ["RenderError", "RenderedPrompt", "render"]


class RenderError(ClientError, ValueError):
    """The template could not be rendered (missing/unknown variable, sandbox violation)."""

    exit_code = 1


@dataclass(frozen=True)
class RenderedPrompt:
    """The messages of a rendered template, the model to send them to, and call params."""

    template: str
    messages: list[dict[str, str]]
    model: Any
    params: dict[str, Any] = field(default_factory=dict)


def _values(entry: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    tid = entry.get("id", "?")
    spec = entry.get("variables") or {}
    unknown = sorted(set(variables) - set(spec))
    if unknown:
        raise RenderError(
            f"template '{tid}' has no variable {', '.join(map(repr, unknown))} "
            f"(declared: {', '.join(sorted(spec)) or 'none'})"
        )
    values: dict[str, Any] = {}
    missing = []
    for name, decl in spec.items():
        decl = decl or {}
        if name in variables:
            values[name] = variables[name]
        elif "default" in decl and decl["default"] is not None:
            values[name] = decl["default"]
        elif decl.get("required"):
            missing.append(name)
    if missing:
        raise RenderError(f"template '{tid}' needs variable {', '.join(map(repr, missing))}")
    return values


def render(
    manifest_templates_entry: Mapping[str, Any],
    resolved_model: Any,
    variables: Mapping[str, Any],
    *,
    system_prompt: bool | None = None,
) -> RenderedPrompt:
    """Render ``system`` and ``user`` of a template entry with ``variables`` over defaults.

    Returns the messages (``[{"role": "system", ...}, {"role": "user", ...}]``, absent parts
    left out), ``resolved_model`` unchanged, and the template's ``params``.
    For a model that does not take a system prompt (``system_prompt=False``, or by default
    a :class:`~regctl.client.Resolved` whose model has ``supports.system_prompt: false``)
    the system text is folded into the first user message, separated by a blank line.
    Raises :class:`RenderError` for unknown or missing variables and for template errors.
    """
    try:
        from jinja2 import TemplateError

        from regctl.client._sandbox import LimitExceeded, render_limited
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RenderError("rendering templates needs Jinja2: pip install Jinja2") from exc

    entry = manifest_templates_entry
    tid = entry.get("id", "?")
    values = _values(entry, variables)
    messages = []
    for role in ("system", "user"):
        source = entry.get(role)
        if not isinstance(source, str):
            continue
        try:
            text = render_limited(source, values)
        except LimitExceeded as exc:
            raise RenderError(f"template '{tid}' {role}: over a limit: {exc}") from None
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # Template code can fail like Python does (``{{ 1 / n }}``, a filter given the
            # wrong type); all of it is the template's failure, not the caller's crash.
            raise RenderError(f"template '{tid}' {role}: {type(exc).__name__}: {exc}") from None
        messages.append({"role": role, "content": text})
    if system_prompt is None:
        supports = getattr(getattr(resolved_model, "model", None), "supports", None) or {}
        system_prompt = supports.get("system_prompt") is not False
    if not system_prompt and messages and messages[0]["role"] == "system":
        messages = _fold_system(messages)
    return RenderedPrompt(str(tid), messages, resolved_model, dict(entry.get("params") or {}))


def _fold_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The system text moved to the head of the first user message (or made one)."""
    system, rest = messages[0]["content"], messages[1:]
    if rest and rest[0]["role"] == "user":
        head = {"role": "user", "content": f"{system}\n\n{rest[0]['content']}"}
        return [head, *rest[1:]]
    return [{"role": "user", "content": system}, *rest]
