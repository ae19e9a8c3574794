"""The models table: one row per model, built once per manifest, then filtered per request.

A 5,000-model catalogue is filtered, sorted and cut to a page in a few milliseconds:
the rows keep what the table shows and a case-folded search text; each sort order is
computed once per manifest and reused; only the page's rows reach the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from regctl.client import Model

SORTS = ("key", "name", "input", "output", "context", "released", "deprecated")
PER_PAGE = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
MAX_QUERY = 200
MAX_PAGE = 100_000


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _day(text: Any) -> dt.date | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


class Row:
    """What the table shows of one model."""

    __slots__ = (
        "active",
        "caps",
        "context",
        "deprecated",
        "id",
        "input",
        "key",
        "model",
        "name",
        "output",
        "provider",
        "released",
        "retires",
        "text",
    )

    def __init__(self, m: Model) -> None:
        self.model = m
        self.key = m.key
        self.provider = m.provider
        self.id = m.id
        self.name = m.display_name
        self.caps = m.capabilities
        self.active = m.active
        self.input = _number(m.pricing.get("input_per_mtok"))
        self.output = _number(m.pricing.get("output_per_mtok"))
        self.context = _number(m.limits.get("context_window"))
        self.released = m.released if isinstance(m.released, str) else None
        self.deprecated = m.deprecated if isinstance(m.deprecated, str) else None
        self.retires = _day(m.deprecated)
        words = [m.key, m.display_name, m.upstream_id, *m.display_names.values()]
        self.text = " ".join(str(w) for w in words).casefold()

    def name_for(self, lang: str) -> str:
        return self.model.display_name_for(lang) if self.model.display_names else self.name

    def days_left(self, today: dt.date) -> int | None:
        return None if self.retires is None else (self.retires - today).days


@dataclass(frozen=True)
class Query:
    """The table's filters, sort and page, from the query string (bounded, never trusted)."""

    provider: str = ""
    capability: str = ""
    active: str = ""  # "", "yes", "no"
    deprecated: str = ""  # "", "yes", "no"
    q: str = ""
    sort: str = "key"
    desc: bool = False
    page: int = 1
    per: int = DEFAULT_PER_PAGE

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Query:
        def pick(name: str, allowed: Sequence[str], default: str = "") -> str:
            value = params.get(name, default)
            return value if value in allowed else default

        def whole(name: str, default: int, top: int) -> int:
            text = params.get(name, "")
            if not text.isascii() or not text.isdigit() or len(text) > 7:
                return default
            return max(1, min(int(text), top))

        per = whole("per", DEFAULT_PER_PAGE, PER_PAGE[-1])
        return cls(
            provider=params.get("provider", "")[:MAX_QUERY],
            capability=params.get("capability", "")[:MAX_QUERY],
            active=pick("active", ("yes", "no")),
            deprecated=pick("deprecated", ("yes", "no")),
            q=" ".join(params.get("q", "")[:MAX_QUERY].split()),
            sort=pick("sort", SORTS, "key"),
            desc=params.get("dir") == "desc",
            page=whole("page", 1, MAX_PAGE),
            per=per if per in PER_PAGE else DEFAULT_PER_PAGE,
        )

    def params(self, **change: Any) -> dict[str, Any]:
        """This query as link parameters (defaults left out), with ``change`` applied."""
        out: dict[str, Any] = {
            "provider": self.provider,
            "capability": self.capability,
            "active": self.active,
            "deprecated": self.deprecated,
            "q": self.q,
            "sort": "" if self.sort == "key" else self.sort,
            "dir": "desc" if self.desc else "",
            "page": "" if self.page == 1 else self.page,
            "per": "" if self.per == DEFAULT_PER_PAGE else self.per,
        }
        out.update(change)
        return out

    @property
    def filtered(self) -> bool:
        return bool(self.provider or self.capability or self.active or self.deprecated or self.q)


@dataclass(frozen=True)
class Page:
    """One page of matching rows."""

    rows: list[Row]
    total: int
    page: int
    pages: int
    first: int  # 1-based position of the first row shown (0 when none)


class Catalog:
    """Every model of one manifest as rows, and the facets the filters offer."""

    def __init__(self, models: Iterable[Model]) -> None:
        self.rows = [Row(m) for m in models]
        self._orders: dict[str, list[int]] = {}
        counts: dict[str, int] = {}
        active: dict[str, int] = {}
        caps: set[str] = set()
        for r in self.rows:
            counts[r.provider] = counts.get(r.provider, 0) + 1
            if r.active:
                active[r.provider] = active.get(r.provider, 0) + len(r.active)
            caps.update(r.caps)
        self.provider_counts = dict(sorted(counts.items()))
        #: provider -> capabilities with an active model
        self.active_counts = active
        self.capabilities = sorted(caps)

    def _order(self, sort: str) -> list[int]:
        """Row positions in ascending ``sort`` order, rows without a value last."""
        order = self._orders.get(sort)
        if order is None:
            rows = self.rows
            if sort == "key":
                order = list(range(len(rows)))  # the manifest's (and client's) key order
            else:
                values = [_sort_value(r, sort) for r in rows]
                have = [i for i, v in enumerate(values) if v is not None]
                have.sort(key=lambda i: (values[i], rows[i].key))
                order = have + [i for i, v in enumerate(values) if v is None]
            self._orders[sort] = order
        return order

    def query(self, q: Query) -> Page:
        """The rows ``q`` selects, in its order, cut to its page."""
        rows = self.rows
        order = self._order(q.sort)
        if q.desc:
            present = [i for i in order if _sort_value(rows[i], q.sort) is not None]
            order = present[::-1] + order[len(present) :]
        terms = q.q.casefold().split()
        matched = [rows[i] for i in order if _matches(rows[i], q, terms)]
        total = len(matched)
        pages = max(1, -(-total // q.per))
        page = min(q.page, pages)
        start = (page - 1) * q.per
        shown = matched[start : start + q.per]
        return Page(shown, total, page, pages, start + 1 if shown else 0)


def _sort_value(r: Row, sort: str) -> Any:
    if sort == "name":
        return r.name.casefold()
    if sort == "key":
        return r.key
    return getattr(r, sort)


def _matches(r: Row, q: Query, terms: list[str]) -> bool:
    if q.provider and r.provider != q.provider:
        return False
    if q.capability and q.capability not in r.caps:
        return False
    if q.active:
        on = q.capability in r.active if q.capability else bool(r.active)
        if on != (q.active == "yes"):
            return False
    if q.deprecated and (r.deprecated is not None) != (q.deprecated == "yes"):
        return False
    return all(t in r.text for t in terms)
