"""The resolution contract (docs/resolution.md) over one :class:`State`.

Every reader (this client, the CLI, ``regctl serve``, ``clients/js``) answers the same
question the same way; ``conformance/`` holds the cases they all run. In short:

- a *pin* (``model=``, or a template's ``model``) is used as named; a pin of a model
  that is not active for the capability, or past its ``deprecated`` date, is served
  with a warning (refused under ``strict``); a template's pin that cannot serve falls
  back to the template's capability;
- otherwise the *candidates* are, for each provider in the order (the named provider;
  else the registry default, then the fallbacks; every other provider with
  ``scope="all"``), that provider's one model active for the capability, when the
  provider is enabled and the model not past ``deprecated``. Naming a provider means
  that provider: other vendors are tried only with ``fallback=True``;
- ``needs`` filter the candidates and ``prefer`` ranks them; the first one answers.

Here: the question (:class:`Query`), the pin, and the answers. The stages it runs are
modules of their own, each over the same :class:`State`: ``_lookup`` (names to
entries), ``_order`` (the order and its candidates), ``_select`` (``needs`` and
``prefer``), ``_params`` (the call parameters and their caps).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from regctl.base.i18n import Msg, msg
from regctl.client._lookup import check_capability, get_provider, get_template, pinned
from regctl.client._order import SCOPES, as_of, deprecated, ordered
from regctl.client._params import merge_params, notice
from regctl.client._state import State
from regctl.client.errors import (
    BadQuery,
    CapabilityMismatch,
    NoActiveModel,
    ProviderDisabled,
    TemplatePinUnusable,
)
from regctl.client.resolved import Notice, Resolved
from regctl.client.types import Model, Provider

if TYPE_CHECKING:
    import datetime as _dt


def _check_args(fallback: Any, scope: Any) -> None:
    if fallback is not None and type(fallback) is not bool:
        raise BadQuery(
            msg("fallback must be true, false or unset, got '{value}'", value=str(fallback))
        )
    if scope not in SCOPES:
        raise BadQuery(
            msg(
                "unknown scope '{scope}' (choose {choices})",
                scope=str(scope),
                choices=", ".join(SCOPES),
            )
        )


def check_pin(
    st: State, m: Model, capability: str, day: str | None, strict: bool, warnings: list[Notice]
) -> Provider:
    """The pinned model's provider; errors for what cannot serve, warnings for the rest."""
    p = get_provider(st, m.provider)
    if not p.enabled:
        raise ProviderDisabled(
            msg(
                "model '{model}' belongs to disabled provider '{provider}'",
                model=m.key,
                provider=p.id,
            )
        )
    if capability not in m.capabilities:
        raise CapabilityMismatch(
            msg(
                "model '{model}' does not have capability '{capability}'",
                model=m.key,
                capability=capability,
            )
        )
    if capability not in m.active:
        text = msg(
            "model '{model}' is not active for capability '{capability}'",
            model=m.key,
            capability=capability,
        )
        notice("model_inactive", text, strict, warnings)
    if m.deprecated:
        day = day or as_of(None)
        if m.deprecated <= day:
            text = msg(
                "model '{model}' is deprecated since {date} (as of {today})",
                model=m.key,
                date=m.deprecated,
                today=day,
            )
            notice("model_deprecated", text, strict, warnings)
    return p


def pin_problem(st: State, key: str, capability: str, day: str | None) -> Msg | None:
    """Why a template's pinned model cannot serve ``capability`` (``None``: it can, or it
    is unknown, which the pin path reports)."""
    m = st.model(key)
    if m is None:
        return None
    p = st.providers.get(m.provider)
    if p is not None and not p.enabled:
        return msg("belongs to disabled provider '{provider}'", provider=p.id)
    if capability not in m.active:
        return msg("is not active for capability '{capability}'", capability=capability)
    if deprecated(m, day):
        return msg("is deprecated since {date}", date=str(m.deprecated))
    return None


class Query:
    """One question, as every reader takes it (docs/resolution.md, "Inputs")."""

    __slots__ = (
        "capability",
        "day",
        "fallback",
        "model",
        "needs",
        "params",
        "prefer",
        "provider",
        "scope",
        "strict",
        "template",
    )

    def __init__(
        self,
        capability: str = "chat",
        provider: str | None = None,
        model: str | None = None,
        template: str | None = None,
        params: Mapping[str, Any] | None = None,
        fallback: bool | None = None,
        needs: Mapping[str, Any] | None = None,
        prefer: str | None = None,
        scope: str = "order",
        strict: bool = False,
        today: str | _dt.date | None = None,
    ) -> None:
        _check_args(fallback, scope)
        self.capability = capability
        self.provider = provider
        self.model = model
        self.template = template
        self.params = params
        self.fallback = fallback
        self.needs = needs
        self.prefer = prefer
        self.scope = scope
        self.strict = strict
        self.day = None if today is None else as_of(today)


def _pin(
    st: State, q: Query, warnings: list[Notice]
) -> tuple[str, Mapping[str, Any], Resolved | None, bool]:
    """The capability, template params, the pinned answer (if any), and whether the
    capability's candidates may follow the pin."""
    capability, tcap, tmodel = q.capability, None, None
    tparams: Mapping[str, Any] = {}
    if q.template is not None:
        tmpl = get_template(st, q.template)
        tparams = tmpl.get("params") or {}
        tcap, tmodel = tmpl.get("capability"), tmpl.get("model")
        if tcap:
            capability = tcap
    check_capability(st, capability)
    if q.model is not None:
        m = pinned(st, q.model, q.provider)
        p = check_pin(st, m, capability, q.day, q.strict, warnings)
        params = merge_params(p, m, tparams, q.params, q.strict, warnings)
        r = Resolved(p, m, capability, params, "model", q.template, st.data, tuple(warnings))
        return capability, tparams, r, q.fallback is True
    if tmodel and (q.provider is None or tmodel.split("/", 1)[0] == q.provider):
        why = pin_problem(st, tmodel, capability, q.day)
        if why is None:
            m = pinned(st, tmodel, None)
            p = get_provider(st, m.provider)
            params = merge_params(p, m, tparams, q.params, q.strict, warnings)
            r = Resolved(p, m, capability, params, "template", q.template, st.data, tuple(warnings))
            return capability, tparams, r, bool(tcap)
        if not tcap:
            raise TemplatePinUnusable(
                msg(
                    "template '{template}' pins '{pin}', which {why}, and names no "
                    "capability to fall back on",
                    template=q.template,
                    pin=tmodel,
                    why=why,
                )
            )
        text = msg(
            "template '{template}' pins '{pin}', which {why}: it falls back to capability "
            "'{capability}'",
            template=q.template,
            pin=tmodel,
            why=why,
            capability=capability,
        )
        notice("template_pin_unusable", text, q.strict, warnings)
    if q.provider is not None:
        get_provider(st, q.provider)
    return capability, tparams, None, True


def _none_left(capability: str, tried: list[str]) -> NoActiveModel:
    where = (
        msg(" (tried: {providers})", providers=", ".join(tried))
        if tried
        else msg(" (no provider given, no default)")
    )
    return NoActiveModel(
        msg(
            "no active model for capability '{capability}'{where}",
            capability=capability,
            where=where,
        )
    )


def resolve(st: State, q: Query) -> Resolved:
    """See :meth:`regctl.client.Registry.resolve`."""
    warnings: list[Notice] = []
    capability, tparams, pin, _ = _pin(st, q, warnings)
    if pin is not None:
        return pin
    if q.needs or q.prefer is not None:
        from regctl.client._select import select

        cands = list(ordered(st, capability, q.provider, q.fallback, q.scope, q.day))
        ranked = select(st, capability, cands, q.needs or {}, q.prefer, q.scope)
        p, m, step = ranked[0]
    else:
        tried: list[str] = []
        found = next(ordered(st, capability, q.provider, q.fallback, q.scope, q.day, tried), None)
        if found is None:
            raise _none_left(capability, tried)
        p, m, step = found
    params = merge_params(p, m, tparams, q.params, q.strict, warnings)
    return Resolved(p, m, capability, params, step, q.template, st.data, tuple(warnings))


def candidates(st: State, q: Query) -> list[Resolved]:
    """See :meth:`regctl.client.Registry.candidates`."""
    warnings: list[Notice] = []
    capability, tparams, pin, more = _pin(st, q, warnings)
    out = [pin] if pin is not None else []
    if not more:
        return out
    cands = list(ordered(st, capability, q.provider, q.fallback, q.scope, q.day))
    if q.needs or q.prefer is not None:
        from regctl.client._select import select

        try:
            cands = select(st, capability, cands, q.needs or {}, q.prefer, q.scope)
        except NoActiveModel:
            cands = []
    for p, m, step in cands:
        if pin is not None and m.key == pin.model.key:
            continue
        mine = list(warnings) if pin is None else []
        params = merge_params(p, m, tparams, q.params, q.strict, mine)
        out.append(Resolved(p, m, capability, params, step, q.template, st.data, tuple(mine)))
    return out
