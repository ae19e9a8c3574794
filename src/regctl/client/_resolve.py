"""The resolution order (docs/client.md) over one :class:`State`."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from typing import Any

from regctl.base.suggest import closest, did_you_mean
from regctl.client._state import State
from regctl.client.errors import (
    NoActiveModel,
    ResolutionError,
    UnknownCapability,
    UnknownModel,
    UnknownProvider,
    UnknownTemplate,
)
from regctl.client.resolved import Resolved
from regctl.client.types import Model, Provider


def get_provider(st: State, pid: str) -> Provider:
    """The provider, or :class:`UnknownProvider` listing the known ones."""
    p = st.providers.get(pid)
    if p is None:
        hint = did_you_mean(pid, st.providers)
        raise UnknownProvider(
            f"unknown provider {pid!r}{hint} (known: {', '.join(sorted(st.providers))})"
        )
    return p


def check_capability(st: State, capability: str) -> None:
    """Raise :class:`UnknownCapability` for a name outside the vocabulary."""
    if capability not in st.capabilities:
        known = ", ".join(sorted(st.capabilities))
        hint = did_you_mean(capability, st.capabilities)
        raise UnknownCapability(f"unknown capability {capability!r}{hint} (known: {known})")


def pinned(st: State, model: str, provider: str | None) -> Model:
    """A model named by key, or by id with its provider; :class:`UnknownModel` otherwise."""
    if provider is not None:
        get_provider(st, provider)
        found = st.model(f"{provider}/{model}")
        if found is None and model.startswith(provider + "/"):
            found = st.model(model)
    else:
        found = st.model(model)
    if found is None:
        key = f"{provider}/{model}" if provider else model
        keys = [m.key for m in st.all_models()]
        by_id = {k.split("/", 1)[1]: k for k in keys}
        near = closest(key, keys) or by_id.get(closest(model, by_id) or "")
        close = f" (did you mean '{near}'?)" if near and near != key else ""
        if provider:
            hint = f" of provider {provider!r}"
        elif "/" not in model:
            hint = " (name it as 'provider/model')"
        else:
            hint = ""
        raise UnknownModel(f"unknown model {model!r}{hint}{close}")
    return found


def _make(
    st: State,
    p: Provider,
    m: Model,
    capability: str,
    via: str,
    template: str | None,
    tparams: Mapping[str, Any],
    params: Mapping[str, Any] | None,
) -> Resolved:
    merged = {**p.defaults, **m.defaults, **tparams, **(params or {})}
    return Resolved(p, m, capability, merged, via, template, st.data)


def _order(
    st: State, capability: str, provider: str | None, fallback: bool
) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    steps: list[tuple[str, str]] = []
    if provider is not None:
        steps.append((provider, "provider"))
    if provider is None or fallback:
        default = st.defaults.get(capability)
        if default is not None:
            steps.append((default, "default"))
    if fallback:
        steps.extend((pid, "fallback") for pid in st.fallbacks.get(capability, ()))
    for pid, via in steps:
        if pid not in seen:
            seen.add(pid)
            yield pid, via


def _active(st: State, pid: str, capability: str) -> tuple[Provider, Model] | None:
    p = st.providers.get(pid)
    if p is None or not p.enabled:
        return None
    key = st.active.get(pid, {}).get(capability)
    m = st.model(key) if key is not None else None
    return (p, m) if m is not None else None


def pin_problem(st: State, key: str, today: str | None = None) -> str | None:
    """Why a template's pinned model cannot serve (``None``: it can, or it is unknown)."""
    m = st.model(key)
    if m is None:
        return None  # the pin path reports the unknown model
    p = st.providers.get(m.provider)
    if p is not None and not p.enabled:
        return f"belongs to disabled provider {p.id!r}"
    if not m.active:
        return "is inactive"
    day = today or _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    if m.deprecated and m.deprecated <= day:
        return f"is deprecated since {m.deprecated}"
    return None


def resolve(
    st: State,
    capability: str,
    provider: str | None,
    model: str | None,
    template: str | None,
    params: Mapping[str, Any] | None,
    fallback: bool,
    needs: Mapping[str, Any] | None = None,
    prefer: str | None = None,
    scope: str = "order",
) -> Resolved:
    """See :meth:`regctl.client.Registry.resolve`."""
    tparams: Mapping[str, Any] = {}
    via = "model"
    fell_back = ""
    if template is not None:
        tmpl = st.templates.get(template)
        if tmpl is None:
            known = ", ".join(sorted(st.templates)) or "none"
            hint = did_you_mean(template, st.templates)
            raise UnknownTemplate(f"unknown template {template!r}{hint} (known: {known})")
        tparams = tmpl.get("params", {})
        tcap, tmodel = tmpl.get("capability"), tmpl.get("model")
        if tcap:
            capability = tcap
        if model is None and tmodel:
            why = pin_problem(st, tmodel)
            if why is None:
                model, via = tmodel, "template"
            elif tcap:
                # The pin is the preference, the capability the safety net.
                fell_back = f"template-fallback: pinned {tmodel!r} {why}; "
            else:
                raise NoActiveModel(
                    f"template {template!r} pins {tmodel!r}, which {why},"
                    " and names no capability to fall back on"
                )
    check_capability(st, capability)
    if model is not None:
        m = pinned(st, model, provider if via == "model" else None)
        p = get_provider(st, m.provider)
        if not p.enabled:
            raise ResolutionError(f"model {m.key!r} belongs to disabled provider {p.id!r}")
        if capability not in m.capabilities:
            raise ResolutionError(f"model {m.key!r} does not have capability {capability!r}")
        return _make(st, p, m, capability, via, template, tparams, params)
    if provider is not None:
        get_provider(st, provider)
    if needs or prefer is not None or scope != "order":
        from regctl.client._select import select

        order = _order(st, capability, provider, fallback)
        p, m, how = select(st, capability, order, needs or {}, prefer, scope)
        return _make(st, p, m, capability, fell_back + how, template, tparams, params)
    tried = []
    for pid, step in _order(st, capability, provider, fallback):
        found = _active(st, pid, capability)
        if found is not None:
            return _make(st, *found, capability, fell_back + step, template, tparams, params)
        tried.append(pid)
    where = f" (tried: {', '.join(tried)})" if tried else " (no provider given, no default)"
    lead = f"{fell_back.removeprefix('template-fallback: ')}" if fell_back else ""
    raise NoActiveModel(f"{lead}no active model for capability {capability!r}{where}")


def candidates(st: State, capability: str, provider: str | None) -> list[Resolved]:
    """See :meth:`regctl.client.Registry.candidates`."""
    check_capability(st, capability)
    if provider is not None:
        get_provider(st, provider)
    out = []
    for pid, step in _order(st, capability, provider, True):
        found = _active(st, pid, capability)
        if found is not None:
            out.append(_make(st, *found, capability, step, None, {}, None))
    return out
