"""A template's pinned model should be one that can serve.

A PromptTemplate may name ``model`` (the preferred pin) and ``capability`` (the fallback)
together. A pin cannot serve when its model is not active for the template's capability
(``chat`` when it names none), is past its ``deprecated`` date (as of today, or
``--as-of``), or its provider is disabled (in the base registry or in an environment).
Then the runtime client falls back to the capability's default provider and fallbacks,
with a ``template_pin_unusable`` warning (docs/resolution.md).

- warning: the pin would fall back; the message names the model it falls back to.
- error: the pin cannot serve and nothing resolves instead (the template names no
  ``capability``, or no default or fallback provider has an active model for it).

A pin to a model that does not exist is reported by the ``template`` rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem, Severity
from regctl.pipeline.parse import Parsed, ParsedModel
from regctl.pipeline.registry import View

ID = "template-pin"
PER_ENVIRONMENT = True  # an environment can disable a provider or deactivate a model


def _why(view: View, m: ParsedModel, capability: str) -> str | None:
    entry = view.providers.get(m.provider)
    if entry is not None and not entry.obj.enabled:
        return msg("its provider '{provider}' is disabled", provider=m.provider)
    if capability not in m.obj.active_for():
        if not m.obj.active_for():
            return msg("it is inactive")
        return msg("it is not active for capability '{cap}'", cap=capability)
    dep = m.obj.deprecated
    if dep is not None and dep <= view.as_of:
        return msg(
            "it is deprecated since {date} (as of {today})",
            date=dep.isoformat(),
            today=view.as_of.isoformat(),
        )
    return None


def _fallback(view: View, capability: str) -> str | None:
    """The ``provider/model`` the client would use for ``capability`` without a pin."""
    default = view.defaults.get(capability)
    order = [default] if default else []
    for pid in [*order, *view.fallbacks.get(capability, [])]:
        entry = view.providers.get(pid)
        if entry is None or not entry.obj.enabled:
            continue
        for mid, m in sorted(view.models.get(pid, {}).items()):
            dep = m.obj.deprecated
            if dep is not None and dep <= view.as_of:
                continue  # the client leaves models past their date out too
            if capability in m.obj.active_for() and capability in m.obj.capabilities:
                return f"{pid}/{mid}"
    return None


def _check(view: View, t: Parsed) -> Problem | None:
    pin = t.raw.get("model")
    if not isinstance(pin, str):
        return None
    pid, _, mid = pin.partition("/")
    m = view.models.get(pid, {}).get(mid)
    if m is None or pid in view.broken:
        return None  # unknown pins are the template rule's; broken ones the schema's
    cap = t.raw.get("capability")
    why = _why(view, m, cap if isinstance(cap, str) else "chat")
    if why is None:
        return None
    tid = t.raw.get("id")
    pos = t.raw.val_pos.get("model", t.raw.pos)
    related = (m.raw.val_pos.get("active", m.raw.pos),)
    instead = _fallback(view, cap) if isinstance(cap, str) else None
    if instead is not None:
        return Problem(
            ID,
            msg(
                "template '{template}' pins '{pin}', but {why}{env}: it falls back to "
                "'{instead}' for capability '{cap}'",
                template=tid,
                pin=pin,
                why=why,
                env=view.in_env(),
                instead=instead,
                cap=cap,
            ),
            pos,
            Severity.WARNING,
            related,
        )
    rest = (
        msg(
            "no default or fallback provider has an active model for capability '{cap}'",
            cap=cap,
        )
        if isinstance(cap, str)
        else msg("the template names no 'capability' to fall back on")
    )
    return Problem(
        ID,
        msg(
            "template '{template}' pins '{pin}', but {why}{env}, and {rest}",
            template=tid,
            pin=pin,
            why=why,
            env=view.in_env(),
            rest=rest,
        ),
        pos,
        Severity.ERROR,
        related,
    )


def check(view: View) -> Iterator[Problem]:
    if not view.complete:
        return
    for _, t in sorted(view.templates.items()):
        problem = _check(view, t)
        if problem is not None:
            yield problem
