"""At most one active model per provider and capability (the core rule).

An app asks "which model serves chat at provider X?"; two active answers make
that question ambiguous. ``active: true`` activates a model for all its
capabilities, ``active: [chat]`` for the listed ones only. The rule holds in the
base registry and in every environment; the problem names every conflicting
model with the place where it was activated.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Location, Problem
from regctl.pipeline.parse import ParsedModel
from regctl.pipeline.registry import View

ID = "single-active"
PER_ENVIRONMENT = True


def active_pos(m: ParsedModel) -> Location:
    """Where the model was made active (the ``active`` value; the model if absent)."""
    return m.raw.val_pos.get("active", m.raw.pos)


def check(view: View) -> Iterator[Problem]:
    for pid, by_id in view.models.items():
        by_cap: dict[str, list[ParsedModel]] = {}
        for m in by_id.values():
            for cap in m.obj.active_for():
                if cap in m.obj.capabilities:
                    by_cap.setdefault(cap, []).append(m)
        for cap, ms in by_cap.items():
            if len(ms) < 2:
                continue
            # The place reported is the last activation; one made by the environment's
            # overlay sorts last, since the overlay is what introduced the conflict.
            ms.sort(key=lambda m: (active_pos(m).file == view.env_file, active_pos(m)))
            places = ", ".join(f"{m.obj.id} ({active_pos(m)})" for m in ms)
            yield Problem(
                ID,
                msg(
                    "provider '{provider}' has {count} active models for capability '{cap}'"
                    "{env}: {places}",
                    provider=pid,
                    count=len(ms),
                    cap=cap,
                    env=view.in_env(),
                    places=places,
                ),
                active_pos(ms[-1]),
                related=tuple(active_pos(m) for m in ms[:-1]),
            )
