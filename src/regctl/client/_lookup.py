"""Lookups by name over one :class:`State`: a provider, a capability, a template, a model.

A name the manifest does not know raises the documented error listing the known names
(with a did-you-mean hint), the same words in every reader (docs/resolution.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regctl.base.i18n import N_, msg
from regctl.client._state import State
from regctl.client.errors import (
    ManifestError,
    UnknownCapability,
    UnknownModel,
    UnknownProvider,
    UnknownTemplate,
)
from regctl.client.types import Model, Provider


def get_provider(st: State, pid: str) -> Provider:
    """The provider, or :class:`UnknownProvider` listing the known ones."""
    p = st.providers.get(pid)
    if p is None:
        from regctl.base.suggest import unknown  # errors only: loading stays lean

        raise UnknownProvider(
            unknown(
                N_("unknown provider '{provider}'{hint} (known: {known})"),
                pid,
                st.providers,
                provider=pid,
            )
        )
    return p


def check_capability(st: State, capability: str) -> None:
    """Raise :class:`UnknownCapability` for a name outside the vocabulary."""
    if capability not in st.capabilities:
        from regctl.base.suggest import unknown  # errors only: loading stays lean

        raise UnknownCapability(
            unknown(
                N_("unknown capability '{capability}'{hint} (known: {known})"),
                capability,
                st.capabilities,
                capability=capability,
            )
        )


def get_template(st: State, template: str) -> Mapping[str, Any]:
    """The template entry, or :class:`UnknownTemplate` listing the known ones."""
    tmpl = st.templates.get(template)
    if tmpl is None:
        from regctl.base.suggest import unknown  # errors only: loading stays lean

        raise UnknownTemplate(
            unknown(
                N_("unknown template '{template}'{hint} (known: {known})"),
                template,
                st.templates,
                none="-",
                template=template,
            )
        )
    return tmpl


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
        from regctl.base.suggest import closest  # errors only

        key = f"{provider}/{model}" if provider else model
        keys = [m.key for m in st.all_models()]
        by_id = {k.split("/", 1)[1]: k for k in keys}
        near = closest(key, keys) or by_id.get(closest(model, by_id) or "")
        close = msg(" (did you mean '{match}'?)", match=near) if near and near != key else ""
        if provider:
            raise UnknownModel(
                msg(
                    "unknown model '{model}' of provider '{provider}'{hint}",
                    model=model,
                    provider=provider,
                    hint=close,
                )
            )
        if "/" not in model:
            raise UnknownModel(
                msg(
                    "unknown model '{model}' (name it as 'provider/model'){hint}",
                    model=model,
                    hint=close,
                )
            )
        raise UnknownModel(msg("unknown model '{model}'{hint}", model=model, hint=close))
    return found


def active_entry(st: State, key: str) -> Model:
    """The model ``key`` that the ``active`` table names; a manifest without its entry is broken."""
    m = st.model(key)
    if m is None:
        raise ManifestError(
            msg(
                "manifest {source}: active model {model} has no entry",
                source=st.source,
                model=repr(key),
            )
        )
    return m


def check_names(st: State, provider: str, capability: str) -> None:
    """Raise for a provider or a capability the manifest does not know."""
    get_provider(st, provider)
    check_capability(st, capability)


def check_filters(st: State, provider: str | None, capability: str | None) -> None:
    """Raise for a provider or a capability filter the manifest does not know."""
    if provider is not None:
        get_provider(st, provider)
    if capability is not None:
        check_capability(st, capability)


def models(
    st: State, provider: str | None, capability: str | None, active: bool | None
) -> list[Model]:
    """See :meth:`regctl.client.Registry.models` (the names checked by :func:`check_filters`)."""
    out = []
    for m in st.all_models():
        if provider is not None and m.provider != provider:
            continue
        if capability is not None and capability not in m.capabilities:
            continue
        if active is not None and m.is_active(capability) != active:
            continue
        out.append(m)
    return out
