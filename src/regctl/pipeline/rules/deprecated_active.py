"""An active model must not be past its ``deprecated`` date.

``deprecated`` is the date from which a model must not be active (providers
retire models on announced dates; calls start failing). The date compared
against is today, or ``--as-of DATE`` for reproducible CI runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem
from regctl.pipeline.registry import View

ID = "deprecated-active"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    for m in view.all_models():
        dep = m.obj.deprecated
        if dep is not None and dep <= view.as_of and m.obj.active_for():
            pos = m.raw.val_pos.get("active", m.raw.pos)
            yield Problem(
                ID,
                msg(
                    "model '{model}' is active{env} but deprecated since {date} (as of "
                    "{today}); activate a successor",
                    model=f"{m.provider}/{m.obj.id}",
                    env=view.in_env(),
                    date=dep.isoformat(),
                    today=view.as_of.isoformat(),
                ),
                pos,
                related=(m.raw.val_pos.get("deprecated", m.raw.pos),),
            )
