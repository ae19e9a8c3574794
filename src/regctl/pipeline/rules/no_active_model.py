"""A provider named for a capability in ``defaults`` or ``fallbacks`` should serve it.

If the Registry sends ``chat`` to provider ``openai`` by default but no OpenAI
model is active for ``chat`` (or the provider is disabled), callers that rely
on the default get nothing from it. A warning, since a fallback may still
answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Location, Problem, Severity
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.registry import View

ID = "no-active-model"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    served = {
        (m.provider, cap)
        for m in view.all_models()
        for cap in m.obj.active_for()
        if view.providers.get(m.provider) and view.providers[m.provider].obj.enabled
    }
    refs: list[tuple[str, str, Location, str]] = []
    if isinstance(view.defaults_raw, PosDict):
        for cap, pid in view.defaults_raw.items():
            refs.append((cap, pid, view.defaults_raw.val_pos[cap], "defaults"))
    if isinstance(view.fallbacks_raw, PosDict):
        for cap, pids in view.fallbacks_raw.items():
            if isinstance(pids, PosList):
                refs.extend((cap, pid, pos, "fallbacks") for pid, pos in zip(pids, pids.item_pos))
    for cap, pid, pos, where in refs:
        if pid in view.broken:
            continue
        if isinstance(pid, str) and pid in view.providers and (pid, cap) not in served:
            disabled = "" if view.providers[pid].obj.enabled else msg(" (the provider is disabled)")
            yield Problem(
                ID,
                msg(
                    "{where}.{cap} names provider '{provider}', which has no active model "
                    "for '{cap}'{env}{disabled}",
                    where=where,
                    cap=cap,
                    provider=pid,
                    env=view.in_env(),
                    disabled=disabled,
                ),
                pos,
                severity=Severity.WARNING,
            )
