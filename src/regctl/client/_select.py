"""Choosing among the candidates by requirements: ``needs=`` filter, ``prefer=`` ranks.

The candidates are the contract's (docs/resolution.md): each provider's one model
active for the capability, in the resolution order (every enabled provider with
``scope="all"``), never a model the registry left active for another capability
only. The needs filter them; ``prefer`` ranks what is left, and ties keep the
resolution order. Standard library only.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from regctl.base.i18n import msg
from regctl.client._state import State
from regctl.client.errors import BadQuery, NoActiveModel
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

_INF = float("inf")
Candidate = tuple[Provider, Model, str]


def check_needs(st: State, needs: Mapping[str, Any]) -> None:
    """Raise :class:`BadQuery` for an unknown need or a value of the wrong type."""
    for name, value in needs.items():
        if name in NUMERIC_NEEDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise BadQuery(
                    msg(
                        "need '{need}' takes a number >= 0, got {value}",
                        need=name,
                        value=repr(value),
                    )
                )
        elif name in SUPPORTS or name in st.capabilities:
            if not isinstance(value, bool):
                raise BadQuery(
                    msg(
                        "need '{need}' takes true or false, got {value}",
                        need=name,
                        value=repr(value),
                    )
                )
        else:
            known = sorted({*NUMERIC_NEEDS, *SUPPORTS, *st.capabilities})
            raise BadQuery(
                msg("unknown need '{need}' (known: {known})", need=name, known=", ".join(known))
            )


def check_prefer(prefer: str | None) -> None:
    """Raise :class:`BadQuery` for a ``prefer`` outside :data:`PREFER`."""
    if prefer is not None and prefer not in PREFER:
        raise BadQuery(
            msg(
                "unknown prefer '{prefer}' (choose {choices})",
                prefer=str(prefer),
                choices=", ".join(PREFER),
            )
        )


def _num(value: float) -> str:
    return f"{value:g}"


def describe(needs: Mapping[str, Any]) -> str:
    """``context>=150000, tools, no vision, max_input_per_mtok<=5``."""
    parts = []
    for name, value in needs.items():
        if name in NUMERIC_NEEDS:
            parts.append(f"{name}{'>=' if NUMERIC_NEEDS[name][2] else '<='}{_num(value)}")
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
                return f"{field} {_num(have)}"
            continue
        has = name in m.capabilities or m.supports.get(name) is True
        if has != value:
            return f"{'no' if value else 'has'} {name}"
    return None


def _price(m: Model) -> float:
    i, o = m.pricing.get("input_per_mtok"), m.pricing.get("output_per_mtok")
    return _INF if i is None and o is None else float(i or 0) + float(o or 0)


def _newest(m: Model) -> float:
    try:
        return -_dt.date.fromisoformat(m.released).toordinal() if m.released else _INF
    except ValueError:
        return _INF


RANK: dict[str, Callable[[Model], Any]] = {
    "cheapest": _price,
    "newest": _newest,
    "largest-context": lambda m: -m.limits.get("context_window", 0),
}


def select(
    st: State,
    capability: str,
    cands: list[Candidate],
    needs: Mapping[str, Any],
    prefer: str | None,
    scope: str,
) -> list[Candidate]:
    """The candidates that meet ``needs``, best first; :class:`NoActiveModel` when none."""
    check_prefer(prefer)
    check_needs(st, needs)
    fits: list[Candidate] = []
    rejected: list[str] = []
    for c in cands:
        why = unmet(c[1], needs)
        if why is None:
            fits.append(c)
        else:
            rejected.append(f"{c[1].key} ({why})")
    if not fits:
        seen = "; ".join(rejected) if rejected else "-"
        raise NoActiveModel(
            msg(
                "no active model for capability '{capability}' meets {needs} "
                "(scope {scope}: {seen})",
                capability=capability,
                needs=describe(needs),
                scope=scope,
                seen=seen,
            )
        )
    if prefer is not None:
        rank = RANK[prefer]
        fits.sort(key=lambda c: rank(c[1]))  # stable: ties keep the resolution order
    return fits
