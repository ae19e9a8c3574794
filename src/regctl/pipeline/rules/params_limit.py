"""Call parameters must fit the model they are sent to.

A provider's ``defaults``, a model's ``defaults`` and a template's ``params`` are
merged into every call (docs/resolution.md, "Parameters"). A ``max_tokens`` above the
model's ``limits.max_output_tokens`` asks for more than the model can write: the
vendor refuses the call, or the runtime client caps it with a ``params_over_limit``
warning. A ``temperature`` above what the provider's API accepts (1 for ``anthropic``,
2 for the others: :mod:`regctl.base.sampling`) is refused by the vendor with a 400,
or brought into range by the client the same way.

- error: the provider's or the model's own ``defaults`` give one of its models a
  ``max_tokens`` above its ``max_output_tokens`` (set a lower value on that model), or
  a ``temperature`` above its API's maximum;
- error: a template pins a model and its ``params`` ask for more than that model writes
  (or a ``temperature`` its API refuses);
- warning: a template without a pin asks for more than a model that can serve its
  capability (the default's or a fallback's active model) writes: that call is capped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from regctl.base.i18n import msg
from regctl.base.sampling import DEFAULT_TEMPERATURE_MAX, temperature_max
from regctl.messages.problems import Problem, Severity
from regctl.pipeline.parse import ParsedModel
from regctl.pipeline.registry import View

ID = "params-limit"
PER_ENVIRONMENT = True  # an environment can change defaults, limits and active models


def _param(raw: Any, section: str, name: str = "max_tokens") -> tuple[int | float, Any] | None:
    """``raw[section][name]`` and its block, if it is a number (``max_tokens`` an integer)."""
    block: Any = raw.get(section) if hasattr(raw, "get") else None
    if not hasattr(block, "get"):
        return None
    value = block.get(name)
    kinds = int if name == "max_tokens" else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        return None
    return value, block


def _max_tokens(raw: Any, section: str) -> tuple[int | float, Any] | None:
    return _param(raw, section)


def _where(raw: Any, block: Any, name: str = "max_tokens") -> Any:
    """Where ``name`` was written. Asked only for a problem: a position re-reads the
    file (positions are lazy), which for every model of a valid registry cost half of a
    10,000-model validation."""
    return block.val_pos.get(name, raw.pos) if hasattr(block, "val_pos") else raw.pos


def _api(view: View, m: ParsedModel) -> str:
    entry = view.providers.get(m.provider)
    return str(entry.obj.api) if entry is not None else "openai"


def _limit(m: ParsedModel) -> int | None:
    limits = m.obj.limits
    return limits.max_output_tokens if limits is not None else None


def _defaults(view: View) -> Iterator[Problem]:
    for m in view.all_models():
        cap = _limit(m)
        entry = view.providers.get(m.provider)
        if cap is None or entry is None:
            continue
        # The model's own value wins over the provider's (the merge order).
        own = _max_tokens(m.raw, "defaults")
        found = own or _max_tokens(entry.raw, "defaults")
        if found is None or found[0] <= cap:
            continue
        value, block = found
        pos = _where(m.raw if own else entry.raw, block)
        where = msg("the model's defaults") if own else msg("provider '{p}' defaults", p=m.provider)
        yield Problem(
            ID,
            msg(
                "{where} give model '{model}' max_tokens {value}{env}, above its "
                "max_output_tokens {cap}",
                where=where,
                model=f"{m.provider}/{m.obj.id}",
                value=value,
                env=view.in_env(),
                cap=cap,
            ),
            pos,
            related=(m.raw.val_pos.get("limits", m.raw.pos),),
        )


def _serving(view: View, capability: str) -> Iterator[ParsedModel]:
    """The models that can answer ``capability`` without a pin: default, then fallbacks."""
    default = view.defaults.get(capability)
    for pid in dict.fromkeys(
        [*([default] if default else []), *view.fallbacks.get(capability, [])]
    ):
        entry = view.providers.get(pid)
        if entry is None or not entry.obj.enabled:
            continue
        for _, m in sorted(view.models.get(pid, {}).items()):
            if capability in m.obj.active_for():
                yield m


def _over(value: float, top: int) -> bool:
    """Above the API's maximum, and within the schema's (which reports what is beyond)."""
    return top < value <= DEFAULT_TEMPERATURE_MAX


def _temperature_defaults(view: View) -> Iterator[Problem]:
    """A provider's default once (every model that inherits it shares the API), and each
    model's own default."""
    for pid, entry in sorted(view.providers.items()):
        api = str(entry.obj.api)
        top = temperature_max(api)
        inherited = False
        for _, m in sorted(view.models.get(pid, {}).items()):
            own = _param(m.raw, "defaults", "temperature")
            if own is None:
                inherited = True
            elif _over(own[0], top):
                yield _temperature_problem(
                    view, msg("the model's defaults"), own, m.raw, top, api, m
                )
        found = _param(entry.raw, "defaults", "temperature")
        if inherited and found is not None and _over(found[0], top):
            yield _temperature_problem(
                view, msg("provider '{p}' defaults", p=pid), found, entry.raw, top, api
            )


def _temperature_problem(
    view: View,
    where: object,
    found: tuple[int | float, Any],
    raw: Any,
    top: int,
    api: str,
    m: ParsedModel | None = None,
) -> Problem:
    value, block = found
    pos = _where(raw, block, "temperature")
    if m is None:
        text = msg(
            "{where} give temperature {value}{env}, above the maximum {top} of the {api} API",
            where=where,
            value=value,
            env=view.in_env(),
            top=top,
            api=api,
        )
    else:
        text = msg(
            "{where} give model '{model}' temperature {value}{env}, above the maximum "
            "{top} of the {api} API",
            where=where,
            model=f"{m.provider}/{m.obj.id}",
            value=value,
            env=view.in_env(),
            top=top,
            api=api,
        )
    return Problem(ID, text, pos)


def _template_temperature(view: View) -> Iterator[Problem]:
    for tid, t in sorted(view.templates.items()):
        found = _param(t.raw, "params", "temperature")
        if found is None:
            continue
        value, block = found
        targets, severity = _targets(view, t.raw)
        for m in targets:
            api = _api(view, m)
            top = temperature_max(api)
            if not _over(value, top):
                continue
            yield Problem(
                ID,
                msg(
                    "template '{template}' asks for temperature {value}, above the maximum "
                    "{top} of the {api} API of '{model}'{env}",
                    template=tid,
                    value=value,
                    top=top,
                    api=api,
                    model=f"{m.provider}/{m.obj.id}",
                    env=view.in_env(),
                ),
                _where(t.raw, block, "temperature"),
                severity,
            )


def _targets(view: View, raw: Any) -> tuple[list[ParsedModel], Severity]:
    """The models a template's call can reach: its pin (an error when it does not fit),
    or every model that serves its capability (a warning: that call is capped)."""
    pin = raw.get("model")
    if isinstance(pin, str):
        pid, _, mid = pin.partition("/")
        pinned = view.models.get(pid, {}).get(mid)
        return ([pinned] if pinned is not None else []), Severity.ERROR
    cap = raw.get("capability")
    return (list(_serving(view, cap)) if isinstance(cap, str) else []), Severity.WARNING


def _templates(view: View) -> Iterator[Problem]:
    for tid, t in sorted(view.templates.items()):
        found = _max_tokens(t.raw, "params")
        if found is None:
            continue
        value, block = found
        targets, severity = _targets(view, t.raw)
        for m in targets:
            cap_tokens = _limit(m)
            if cap_tokens is None or value <= cap_tokens:
                continue
            yield Problem(
                ID,
                msg(
                    "template '{template}' asks for max_tokens {value}, above the "
                    "max_output_tokens {cap} of '{model}'{env}",
                    template=tid,
                    value=value,
                    cap=cap_tokens,
                    model=f"{m.provider}/{m.obj.id}",
                    env=view.in_env(),
                ),
                _where(t.raw, block),
                severity,
                (m.raw.val_pos.get("limits", m.raw.pos),),
            )


def check(view: View) -> Iterator[Problem]:
    yield from _defaults(view)
    yield from _temperature_defaults(view)
    yield from _templates(view)
    yield from _template_temperature(view)
