"""An active model must not be past its ``deprecated`` date.

``deprecated`` is the date from which a model must not be active (providers
retire models on announced dates; calls start failing). The date compared
against is today, or ``--as-of DATE`` for reproducible CI runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.problems import Problem
from regctl.registry import View

ID = "deprecated-active"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    for m in view.all_models():
        dep = m.obj.deprecated
        if dep is not None and dep <= view.as_of and m.obj.active_for():
            pos = m.raw.val_pos.get("active", m.raw.pos)
            yield Problem(
                ID,
                f"model '{m.provider}/{m.obj.id}' is active{view.in_env()} but deprecated since "
                f"{dep.isoformat()} (as of {view.as_of.isoformat()}); activate a successor",
                pos,
                related=(m.raw.val_pos.get("deprecated", m.raw.pos),),
            )
