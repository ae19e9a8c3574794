"""A provider named for a capability in ``defaults`` or ``fallbacks`` should serve it.

If the Registry sends ``chat`` to provider ``openai`` by default but no OpenAI
model is active for ``chat`` (or the provider is disabled), callers that rely
on the default get nothing from it. A warning, since a fallback may still
answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

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
    # (capability, provider, where it is written, "defaults"/"fallbacks"); a position is
    # looked up only for a problem, since the first lookup re-reads the file
    refs: list[tuple[str, str, Callable[[], Location], str]] = []
    defaults, fallbacks = view.defaults_raw, view.fallbacks_raw
    if isinstance(defaults, PosDict):
        for cap, pid in defaults.items():
            refs.append((cap, pid, partial(lambda c: defaults.val_pos[c], cap), "defaults"))
    if isinstance(fallbacks, PosDict):
        for cap, pids in fallbacks.items():
            if isinstance(pids, PosList):
                refs.extend(
                    (cap, pid, partial(lambda ps, i: ps.item_pos[i], pids, i), "fallbacks")
                    for i, pid in enumerate(pids)
                )
    for cap, pid, where_at, where in refs:
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
                where_at(),
                severity=Severity.WARNING,
            )
