"""``active: [x]`` must name capabilities the model has.

A model can be active for a subset of its ``capabilities`` only; naming one it
does not have is almost always a typo (``active: [vison]``) and would silently
activate nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem
from regctl.pipeline.parse import did_you_mean
from regctl.pipeline.positions import PosList
from regctl.pipeline.registry import View

ID = "active-capability"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    for m in view.all_models():
        active = m.raw.get("active")
        if not isinstance(active, PosList):
            continue
        for i, cap in enumerate(active):
            if cap not in m.obj.capabilities:  # positions are looked up only for a miss
                pos = active.item_pos[i]
                hint = did_you_mean(cap, m.obj.capabilities)
                yield Problem(
                    ID,
                    msg(
                        "model '{model}' is active for '{cap}', which is not one of its "
                        "capabilities ({caps}){hint}{env}",
                        model=f"{m.provider}/{m.obj.id}",
                        cap=cap,
                        caps=", ".join(m.obj.capabilities),
                        hint=hint,
                        env=view.in_env(),
                    ),
                    pos,
                )
