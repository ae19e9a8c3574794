"""References must name something that exists.

Checked: a standalone Model's ``provider``; the provider ids in the Registry's
``defaults`` and ``fallbacks`` (and their environment overrides); the
environments named in ``targets``; the provider, model (``provider/model``),
environment or template a budget's ``scope`` names. An environment overlay that names a provider
or model that does not exist is reported when the overlay is applied. Prompt
template references are checked by the ``template`` rule's module.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem
from regctl.pipeline.parse import did_you_mean
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.registry import View
from regctl.pipeline.rules._budgets import check_budgets

ID = "unknown-reference"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    known = sorted(view.providers)
    if view.env is None:
        for m in view.orphans:
            pos = m.raw.val_pos.get("provider", m.raw.pos)
            hint = did_you_mean(m.provider, known)
            yield Problem(
                ID,
                msg(
                    "model '{model}' names provider '{provider}', which does not exist{hint}",
                    model=m.obj.id,
                    provider=m.provider,
                    hint=hint,
                ),
                pos,
            )
        reg = view.registry
        targets = reg.raw.get("targets") if reg else None
        if isinstance(targets, PosDict) and view.complete:
            envs = {p.obj.id for p in view.documents if p.kind == "Environment"}  # type: ignore[attr-defined]
            for env in targets:
                if env not in envs:
                    yield Problem(
                        ID,
                        msg(
                            "targets names environment '{name}', which does not exist{hint}",
                            name=env,
                            hint=did_you_mean(env, sorted(envs)),
                        ),
                        targets.key_pos[env],
                    )
    if not view.complete:
        return  # a file failed to load: its providers would show up as dangling here
    if view.env is None:
        yield from check_budgets(view, ID)
    if isinstance(view.defaults_raw, PosDict):
        for cap, pid in view.defaults_raw.items():
            if isinstance(pid, str) and pid not in view.providers and pid not in view.broken:
                yield Problem(
                    ID,
                    msg(
                        "defaults.{cap} names provider '{provider}', which does not exist"
                        "{hint}{env}",
                        cap=cap,
                        provider=pid,
                        hint=did_you_mean(pid, known),
                        env=view.in_env(),
                    ),
                    view.defaults_raw.val_pos[cap],
                )
    if isinstance(view.fallbacks_raw, PosDict):
        for cap, pids in view.fallbacks_raw.items():
            if not isinstance(pids, PosList):
                continue
            for i, pid in enumerate(pids):
                # positions only for a problem: asking for one re-reads the file
                if isinstance(pid, str) and pid not in view.providers and pid not in view.broken:
                    yield Problem(
                        ID,
                        msg(
                            "fallbacks.{cap} names provider '{provider}', which does not exist"
                            "{hint}{env}",
                            cap=cap,
                            provider=pid,
                            hint=did_you_mean(pid, known),
                            env=view.in_env(),
                        ),
                        pids.item_pos[i],
                    )
