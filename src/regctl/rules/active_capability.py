"""``active: [x]`` must name capabilities the model has.

A model can be active for a subset of its ``capabilities`` only; naming one it
does not have is almost always a typo (``active: [vison]``) and would silently
activate nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.parse import did_you_mean
from regctl.positions import PosList
from regctl.problems import Problem
from regctl.registry import View

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
                    f"model '{m.provider}/{m.obj.id}' is active for '{cap}', which is not one of "
                    f"its capabilities ({', '.join(m.obj.capabilities)}){hint}{view.in_env()}",
                    pos,
                )
