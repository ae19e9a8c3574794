"""Budget scopes must name something that exists (reported as ``unknown-reference``)."""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import N_, Msg, msg
from regctl.messages.problems import Problem
from regctl.pipeline.parse import did_you_mean
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.registry import View


def check_budgets(view: View, rule: str) -> Iterator[Problem]:
    """``provider:ID``, ``model:PROVIDER/MODEL``, ``env:NAME``, ``template:ID`` must exist."""
    reg = view.registry
    budgets = reg.raw.get("budgets") if reg else None
    if not isinstance(budgets, PosList):
        return
    known = {
        "provider": sorted(view.providers),
        "model": sorted(f"{p}/{m}" for p, by_id in view.models.items() for m in by_id),
        "env": sorted(
            p.obj.id  # type: ignore[attr-defined]
            for p in view.documents
            if p.kind == "Environment"
        ),
        "template": sorted(view.templates),
    }
    for i, item in enumerate(budgets):
        if not isinstance(item, PosDict):
            continue
        scope = item.get("scope")
        if not isinstance(scope, str) or scope == "all":
            continue
        kind, _, name = scope.partition(":")
        pos = item.val_pos.get("scope", item.pos)
        if kind not in known or not name:
            yield Problem(
                rule,
                msg(
                    "budgets[{i}].scope '{scope}' is not all, provider:ID, "
                    "model:PROVIDER/MODEL, env:NAME or template:ID",
                    i=i,
                    scope=scope,
                ),
                pos,
            )
            continue
        if name in known[kind]:
            continue
        if kind == "provider" and name in view.broken:
            continue
        yield Problem(
            rule,
            Msg(
                _MISSING[kind],
                i=i,
                name=name,
                hint=did_you_mean(name, known[kind]),
            ),
            pos,
        )


#: one message per scope kind, so a translation can inflect the noun
_MISSING = {
    "provider": N_("budgets[{i}].scope names provider '{name}', which does not exist{hint}"),
    "model": N_("budgets[{i}].scope names model '{name}', which does not exist{hint}"),
    "env": N_("budgets[{i}].scope names environment '{name}', which does not exist{hint}"),
    "template": N_("budgets[{i}].scope names template '{name}', which does not exist{hint}"),
}
