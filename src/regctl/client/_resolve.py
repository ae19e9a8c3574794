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
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from regctl.base.i18n import Msg, msg
from regctl.client._state import State
from regctl.client.errors import (
    BadQuery,
    CapabilityMismatch,
    ModelDeprecated,
    ModelInactive,
    NoActiveModel,
    ParamsOverLimit,
    ProviderDisabled,
    ResolutionError,
    TemplatePinUnusable,
    UnknownCapability,
    UnknownModel,
    UnknownProvider,
    UnknownTemplate,
)
from regctl.client.resolved import Notice, Resolved
from regctl.client.types import Model, Provider

if TYPE_CHECKING:
    import datetime as _dt

#: Scopes: the resolution order only, or every enabled provider after it.
SCOPES = ("order", "all")
#: Warning codes; under ``strict=True`` each is refused with the error of the same code.
STRICT: dict[str, type[ResolutionError]] = {
    "model_inactive": ModelInactive,
    "model_deprecated": ModelDeprecated,
    "template_pin_unusable": TemplatePinUnusable,
    "params_over_limit": ParamsOverLimit,
}

Candidate = tuple[Provider, Model, str]  # provider, its active model, the step (via)
# RFC 3339 full-date only: fromisoformat alone also takes "2026-W01-1" and "20260101".
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # compiled on first use (re caches it)


def get_provider(st: State, pid: str) -> Provider:
    """The provider, or :class:`UnknownProvider` listing the known ones."""
    p = st.providers.get(pid)
    if p is None:
        from regctl.base.suggest import did_you_mean  # errors only

        raise UnknownProvider(
            msg(
                "unknown provider '{provider}'{hint} (known: {known})",
                provider=pid,
                hint=did_you_mean(pid, st.providers),
                known=", ".join(sorted(st.providers)),
            )
        )
    return p


def check_capability(st: State, capability: str) -> None:
    """Raise :class:`UnknownCapability` for a name outside the vocabulary."""
    if capability not in st.capabilities:
        from regctl.base.suggest import did_you_mean  # errors only

        raise UnknownCapability(
            msg(
                "unknown capability '{capability}'{hint} (known: {known})",
                capability=capability,
                hint=did_you_mean(capability, st.capabilities),
                known=", ".join(sorted(st.capabilities)),
            )
        )


def get_template(st: State, template: str) -> Mapping[str, Any]:
    """The template entry, or :class:`UnknownTemplate` listing the known ones."""
    tmpl = st.templates.get(template)
    if tmpl is None:
        from regctl.base.suggest import did_you_mean  # errors only

        raise UnknownTemplate(
            msg(
                "unknown template '{template}'{hint} (known: {known})",
                template=template,
                hint=did_you_mean(template, st.templates),
                known=", ".join(sorted(st.templates)) or "-",
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


def as_of(today: str | _dt.date | None) -> str:
    """``today`` as ``YYYY-MM-DD`` (UTC today when ``None``); :class:`BadQuery` otherwise."""
    # imported here: a process that loads a manifest and never resolves (or an app's
    # start-up) need not pay for datetime (~0.9 ms, issue 26)
    import datetime as _dt

    if today is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    if isinstance(today, _dt.date):
        return today.isoformat()
    if isinstance(today, str) and re.fullmatch(_DAY, today):
        try:
            return _dt.date.fromisoformat(today).isoformat()
        except ValueError:
            pass
    raise BadQuery(msg("today must be a date as YYYY-MM-DD, got '{value}'", value=str(today)))


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


def order(
    st: State, capability: str, provider: str | None, fallback: bool | None, scope: str
) -> Iterator[tuple[str, str]]:
    """Provider ids to try, each with its step: the contract's order, without repeats."""
    steps: list[tuple[str, str]] = []
    if provider is not None:
        steps.append((provider, "provider"))
    # Naming a provider means that provider; other vendors only when asked for.
    crossing = fallback is True or (provider is None)
    if crossing:
        default = st.defaults.get(capability)
        if default is not None:
            steps.append((default, "default"))
        if fallback is not False:
            steps.extend((pid, "fallback") for pid in st.fallbacks.get(capability, ()))
    seen: set[str] = set()
    for pid, step in steps:
        if pid not in seen:
            seen.add(pid)
            yield pid, step
    if scope == "all" and crossing and fallback is not False:
        for pid in sorted(st.providers):
            if pid not in seen:
                yield pid, "scope"


def _deprecated(m: Model, day: str | None) -> bool:
    return bool(m.deprecated) and m.deprecated <= (day or as_of(None))  # type: ignore[operator]


def ordered(
    st: State,
    capability: str,
    provider: str | None,
    fallback: bool | None,
    scope: str,
    day: str | None,
    tried: list[str] | None = None,
) -> Iterator[Candidate]:
    """The candidates in order: each provider's one model active for ``capability``,
    when the provider is enabled and the model not past ``deprecated`` on ``day``."""
    for pid, step in order(st, capability, provider, fallback, scope):
        p = st.providers.get(pid)
        key = st.active.get(pid, {}).get(capability) if p is not None and p.enabled else None
        m = st.model(key) if key is not None else None
        if p is None or m is None or _deprecated(m, day):
            if tried is not None:
                tried.append(pid)
            continue
        yield p, m, step


def _notice(code: str, text: Msg, strict: bool, warnings: list[Notice]) -> None:
    if strict:
        raise STRICT[code](text)
    warnings.append(Notice(code, text))


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
        _notice("model_inactive", text, strict, warnings)
    if m.deprecated:
        day = day or as_of(None)
        if m.deprecated <= day:
            text = msg(
                "model '{model}' is deprecated since {date} (as of {today})",
                model=m.key,
                date=m.deprecated,
                today=day,
            )
            _notice("model_deprecated", text, strict, warnings)
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
    if _deprecated(m, day):
        return msg("is deprecated since {date}", date=str(m.deprecated))
    return None


def merge_params(
    p: Provider,
    m: Model,
    tparams: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    strict: bool,
    warnings: list[Notice],
) -> dict[str, Any]:
    """call > template > model defaults > provider defaults; ``max_tokens`` and
    ``temperature`` capped."""
    merged = {**p.defaults, **m.defaults, **tparams, **(params or {})}
    cap = m.limits.get("max_output_tokens")
    asked = merged.get("max_tokens")
    if (
        cap is not None
        and isinstance(asked, (int, float))
        and not isinstance(asked, bool)
        and asked > cap
    ):
        text = msg(
            "max_tokens {asked} is above the max_output_tokens {cap} of '{model}': capped",
            asked=asked,
            cap=cap,
            model=m.key,
        )
        _notice("params_over_limit", text, strict, warnings)
        merged["max_tokens"] = cap
    _cap_temperature(p, m, merged, strict, warnings)
    return merged


def _cap_temperature(
    p: Provider, m: Model, merged: dict[str, Any], strict: bool, warnings: list[Notice]
) -> None:
    """A ``temperature`` outside what the provider's API accepts is brought into range
    (the vendor would refuse the call with a 400), with a ``params_over_limit`` warning."""
    asked = merged.get("temperature")
    if not isinstance(asked, (int, float)) or isinstance(asked, bool):
        return
    from regctl.base.sampling import temperature_max  # a load imports only what it uses

    top = temperature_max(p.api)
    if 0 <= asked <= top:
        return
    bound = top if asked > top else 0
    text = msg(
        "temperature {asked} is outside the range 0 to {top} of the {api} API of "
        "'{model}': set to {bound}",
        asked=asked,
        top=top,
        api=p.api,
        model=m.key,
        bound=bound,
    )
    _notice("params_over_limit", text, strict, warnings)
    merged["temperature"] = bound


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
        _notice("template_pin_unusable", text, q.strict, warnings)
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
