"""Choosing a model by requirements: ``Registry.resolve(..., needs=, prefer=, scope=)``.

The candidates are the *active* models (active for any capability, so a reasoning model
can serve ``chat`` when a call needs ``reasoning``) that have the asked capability, of the
enabled providers in the resolution order: the given provider, the registry default, the
fallbacks (``scope="order"``), then every other enabled provider (``scope="all"``).
Models past their ``deprecated`` date are left out. The needs filter them; ``prefer``
ranks what is left, and ties keep the resolution order. Standard library only.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from regctl.client._state import State
from regctl.client.errors import NoActiveModel, ResolutionError
from regctl.client.types import Model, Provider

#: Numeric needs: name -> (manifest section, field, whether the value is a minimum).
NUMERIC_NEEDS: dict[str, tuple[str, str, bool]] = {
    "context": ("limits", "context_window", True),
    "max_output": ("limits", "max_output_tokens", True),
    "max_input_per_mtok": ("pricing", "input_per_mtok", False),
    "max_output_per_mtok": ("pricing", "output_per_mtok", False),
}
#: Boolean needs beyond the capability names: the model's ``supports`` flags.
SUPPORTS = ("system_prompt", "streaming", "tools", "json_mode")
PREFER = ("cheapest", "newest", "largest-context")
SCOPES = ("order", "all")

_INF = float("inf")


def check_needs(st: State, needs: Mapping[str, Any]) -> None:
    """Raise :class:`ResolutionError` for an unknown need or a value of the wrong type."""
    for name, value in needs.items():
        if name in NUMERIC_NEEDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ResolutionError(f"need {name!r} takes a number >= 0, got {value!r}")
        elif name in SUPPORTS or name in st.capabilities:
            if not isinstance(value, bool):
                raise ResolutionError(f"need {name!r} takes true or false, got {value!r}")
        else:
            known = sorted({*NUMERIC_NEEDS, *SUPPORTS, *st.capabilities})
            raise ResolutionError(f"unknown need {name!r} (known: {', '.join(known)})")


def describe(needs: Mapping[str, Any]) -> str:
    """``context>=150000, tools, no vision, max_input_per_mtok<=5``."""
    parts = []
    for name, value in needs.items():
        if name in NUMERIC_NEEDS:
            parts.append(f"{name}{'>=' if NUMERIC_NEEDS[name][2] else '<='}{value:g}")
        else:
            parts.append(name if value else f"no {name}")
    return ", ".join(parts) or "no needs"


def unmet(m: Model, needs: Mapping[str, Any]) -> str | None:
    """The first need ``m`` does not meet, said for a person, or ``None``."""
    for name, value in needs.items():
        spec = NUMERIC_NEEDS.get(name)
        if spec is not None:
            section, field, minimum = spec
            have = (m.limits if section == "limits" else m.pricing).get(field)
            if have is None:
                return f"no {field}"
            if (have < value) if minimum else (have > value):
                return f"{field} {have:g}"
            continue
        has = name in m.capabilities or m.supports.get(name) is True
        if has != value:
            return f"{'no' if value else 'has'} {name}"
    return None


def _providers(
    st: State, order: Iterator[tuple[str, str]], scope: str
) -> Iterator[tuple[Provider, str]]:
    seen = set()
    for pid, step in order:
        seen.add(pid)
        p = st.providers.get(pid)
        if p is not None and p.enabled:
            yield p, step
    if scope == "all":
        for pid in sorted(st.providers):
            p = st.providers[pid]
            if pid not in seen and p.enabled:
                yield p, "scope all"


def _price(m: Model) -> float:
    i, o = m.pricing.get("input_per_mtok"), m.pricing.get("output_per_mtok")
    return _INF if i is None and o is None else float(i or 0) + float(o or 0)


_RANK: dict[str, Callable[[Model], Any]] = {
    "cheapest": _price,
    "newest": lambda m: -_dt.date.fromisoformat(m.released).toordinal() if m.released else _INF,
    "largest-context": lambda m: -m.limits.get("context_window", 0),
}
_WHY = {"cheapest": "cheapest", "newest": "newest", "largest-context": "largest context"}


def select(
    st: State,
    capability: str,
    order: Iterator[tuple[str, str]],
    needs: Mapping[str, Any],
    prefer: str | None,
    scope: str,
    today: _dt.date | None = None,
) -> tuple[Provider, Model, str]:
    """The provider and model chosen, and the ``via`` text that says why."""
    if prefer is not None and prefer not in PREFER:
        raise ResolutionError(f"unknown prefer {prefer!r} (choose {', '.join(PREFER)})")
    if scope not in SCOPES:
        raise ResolutionError(f"unknown scope {scope!r} (choose {', '.join(SCOPES)})")
    check_needs(st, needs)
    day = (today or _dt.datetime.now(_dt.timezone.utc).date()).isoformat()
    fits: list[tuple[int, Provider, Model, str]] = []
    rejected: list[str] = []
    by_provider: dict[str, list[Model]] = {}
    for m in st.all_models():
        if m.active and capability in m.capabilities:
            by_provider.setdefault(m.provider, []).append(m)
    for p, step in _providers(st, order, scope):
        mine = by_provider.get(p.id, [])
        # The provider's model for this capability first: it is the sanctioned one.
        mine.sort(key=lambda m: (capability not in m.active, m.key))
        for m in mine:
            why = "deprecated" if m.deprecated and m.deprecated <= day else unmet(m, needs)
            if why is None:
                fits.append((len(fits), p, m, step))
            else:
                rejected.append(f"{m.key} ({why})")
    wanted = describe(needs)
    if not fits:
        seen = "; ".join(rejected) if rejected else "no active model"
        raise NoActiveModel(
            f"no active model for capability {capability!r} meets {wanted} (scope {scope}: {seen})"
        )
    if prefer is None:
        _, p, m, step = fits[0]
        how = "first in resolution order"
    else:
        rank = _RANK[prefer]
        _, p, m, step = min(fits, key=lambda f: (rank(f[2]), f[0]))
        how = _WHY[prefer]
    via = f"select: {how} of {len(fits)} meeting {wanted} (provider via {step}, scope {scope})"
    return p, m, via
