"""Call parameters must fit the model they are sent to.

A provider's ``defaults``, a model's ``defaults`` and a template's ``params`` are
merged into every call (docs/resolution.md, "Parameters"). A ``max_tokens`` above the
model's ``limits.max_output_tokens`` asks for more than the model can write: the
vendor refuses the call, or the runtime client caps it with a ``params_over_limit``
warning. (``temperature`` outside 0-2 is refused by the schema.)

- error: the provider's or the model's own ``defaults`` give one of its models a
  ``max_tokens`` above its ``max_output_tokens`` (set a lower value on that model);
- error: a template pins a model and its ``params`` ask for more than that model writes;
- warning: a template without a pin asks for more than a model that can serve its
  capability (the default's or a fallback's active model) writes: that call is capped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from regctl.base.i18n import msg
from regctl.messages.problems import Problem, Severity
from regctl.pipeline.parse import ParsedModel
from regctl.pipeline.registry import View

ID = "params-limit"
PER_ENVIRONMENT = True  # an environment can change defaults, limits and active models


def _max_tokens(raw: Any, section: str) -> tuple[int, Any] | None:
    """``max_tokens`` of ``raw[section]`` and its block, if it is a number."""
    block: Any = raw.get(section) if hasattr(raw, "get") else None
    if not hasattr(block, "get"):
        return None
    value = block.get("max_tokens")
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value, block


def _where(raw: Any, block: Any) -> Any:
    """Where ``max_tokens`` was written. Asked only for a problem: a position re-reads the
    file (positions are lazy), which for every model of a valid registry cost half of a
    10,000-model validation."""
    return block.val_pos.get("max_tokens", raw.pos) if hasattr(block, "val_pos") else raw.pos


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


def _templates(view: View) -> Iterator[Problem]:
    for tid, t in sorted(view.templates.items()):
        found = _max_tokens(t.raw, "params")
        if found is None:
            continue
        value, block = found
        pin = t.raw.get("model")
        if isinstance(pin, str):
            pid, _, mid = pin.partition("/")
            pinned = view.models.get(pid, {}).get(mid)
            targets = [pinned] if pinned is not None else []
            severity = Severity.ERROR
        else:
            cap = t.raw.get("capability")
            targets = list(_serving(view, cap)) if isinstance(cap, str) else []
            severity = Severity.WARNING
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
    yield from _templates(view)
