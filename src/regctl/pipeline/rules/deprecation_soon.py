"""Warn when an active model will be deprecated soon.

Within ``policy.deprecation_warning_days`` (default 30) of an active model's
``deprecated`` date, plan its successor. A warning: the exit code stays 0
unless ``--strict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem, Severity
from regctl.pipeline.registry import View

ID = "deprecation-soon"
PER_ENVIRONMENT = True


def check(view: View) -> Iterator[Problem]:
    reg = view.registry_doc
    days = reg.policy.deprecation_warning_days if reg else 30
    horizon = view.as_of + dt.timedelta(days=days)
    for m in view.all_models():
        dep = m.obj.deprecated
        if dep is not None and view.as_of < dep <= horizon and m.obj.active_for():
            left = (dep - view.as_of).days
            yield Problem(
                ID,
                msg(
                    "active model '{model}'{env} is deprecated on {date}, in {days} day(s)",
                    model=f"{m.provider}/{m.obj.id}",
                    env=view.in_env(),
                    date=dep.isoformat(),
                    days=left,
                ),
                m.raw.val_pos.get("deprecated", m.raw.pos),
                severity=Severity.WARNING,
            )
