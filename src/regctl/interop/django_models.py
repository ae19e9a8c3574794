"""``AIModel`` rows -> models, the one active model per provider and capability, and the
registry's defaults and fallbacks (docs/migrate-from-django.md, "Models").

Seed 000 rows list ``capabilities`` and are sent to the API as ``name``; seed 003 rows
serve one ``capability`` and are sent as ``model_id``, so the rows of one ``model_id``
become one model with every capability of its rows. The active model of a provider and
capability is the one the seed's ``get_active_model`` returns: among active rows not past
their ``deprecation_date``, the ``is_default`` one, else the newest ``created_at``, else
the highest primary key (compared as numbers; a table without ``created_at`` uses
``release_date``). The defaults come from the active
``is_default`` providers, oldest first: for each capability the first that has an active
model is the default and the others, in order, its fallbacks.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any

from regctl.interop import common as c
from regctl.interop.django_providers import ProviderRow, number
from regctl.interop.report import ImportReport

_EPOCH = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)
#: Fields compared when several seed 003 rows become one model.
_MERGED = ("display_name", "limits", "supports", "pricing", "released", "deprecated")


def pk_order(pk: Any) -> tuple[int, int, str]:
    """Primary keys as numbers where they are numbers ("2" < "11"), else as text."""
    text = str(pk)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def created(value: Any) -> _dt.datetime:
    """``created_at`` as an aware datetime (dumpdata writes ISO 8601, ``Z`` for UTC)."""
    if isinstance(value, str) and value.strip():
        try:
            t = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return _EPOCH
        return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)
    return _EPOCH


@dataclass
class ModelRow:
    """One source row as the templates and the single-active choice need it."""

    pk: Any
    provider: ProviderRow
    upstream: str  # what the seed matches: name (000) or model_id (003)
    key: str
    caps: list[str]
    is_active: bool
    is_default: bool
    created_at: _dt.datetime
    deprecated: _dt.date | None
    where: str
    per_capability: bool  # a seed 003 row: one capability per row

    def usable(self, today: _dt.date) -> bool:
        """The seed's test for a pin: active, provider active, not deprecated."""
        return (
            self.is_active
            and self.provider.is_active
            and (self.deprecated is None or self.deprecated > today)
        )

    def rank(self) -> tuple[bool, _dt.datetime, tuple[int, int, str]]:
        return (self.is_default, self.created_at, pk_order(self.pk))


@dataclass
class Models:
    """Every imported row by primary key, the active choice, and every capability seen."""

    rows: dict[Any, ModelRow] = field(default_factory=dict)
    active: dict[tuple[str, str], ModelRow] = field(default_factory=dict)
    capabilities: set[str] = field(default_factory=set)


def _caps(f: dict[str, Any], where: str, report: ImportReport) -> list[str]:
    raw = f.get("capabilities") if "capabilities" in f else [f.get("capability")]
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)  # a JSON list kept in a TextField
        except json.JSONDecodeError:
            raw = raw.replace(";", ",").split(",")
    caps: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, str) or not item.strip():
            report.lose(where, "invalid-capability", f"{item!r} is not a capability name")
        elif item.strip() not in caps:
            caps.append(item.strip())
    return caps


def _body(
    f: dict[str, Any], mid: str, upstream: str, caps: list[str], where: str, report: ImportReport
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": mid}
    if mid != upstream:
        body["upstream_id"] = upstream
    display = f.get("display_name") if "model_id" not in f else f.get("name")
    body["display_name"] = str(display or upstream)
    body["capabilities"] = list(caps)
    body["active"] = False
    body["limits"] = c.limits(where, report, f.get("context_window"), f.get("max_tokens"))
    supports = {
        k: f[src]
        for src, k in (
            ("supports_system_prompt", "system_prompt"),
            ("supports_streaming", "streaming"),
        )
        if isinstance(f.get(src), bool)
    }
    body["supports"] = supports or None
    prices = {}
    for src in ("input_price_per_million", "output_price_per_million"):
        n = number(f.get(src))
        if f.get(src) is not None and (n is None or n < 0):
            report.lose(where, "invalid-price", f"{src} {f.get(src)!r}")
        prices[src] = c.price(n)
    body["pricing"] = c.pricing(
        where,
        report,
        input=prices["input_price_per_million"],
        output=prices["output_price_per_million"],
    )
    body["released"] = c.iso_date(f.get("release_date"))
    body["deprecated"] = c.iso_date(f.get("deprecation_date"))
    return c.drop_none(body)


def import_models(
    rows: list[tuple[str, dict[str, Any]]],
    providers: dict[Any, ProviderRow],
    report: ImportReport,
    today: _dt.date,
) -> Models:
    """Add every model to its provider's body; return what templates and defaults need."""
    out = Models()
    bodies: dict[str, dict[str, Any]] = {}  # key -> body
    first: dict[str, str] = {}  # key -> where it was first imported
    for where, row in sorted(rows, key=lambda r: pk_order(r[1].get("pk"))):
        f = row["fields"]
        fk = f.get("provider")
        fk = fk[0] if isinstance(fk, list) and len(fk) == 1 else fk
        prov = (
            providers.get(fk) if isinstance(fk, (int, str)) and not isinstance(fk, bool) else None
        )
        if prov is None:
            report.row(where, "dropped", "", f"provider {fk!r} was not imported")
            continue
        upstream = str(f.get("model_id") or f.get("name") or "")
        mid = c.model_id(upstream)
        if mid is None:
            report.row(where, "dropped", "", f"no valid model id in {upstream!r}")
            continue
        caps = _caps(f, where, report)
        if not caps:
            report.row(where, "dropped", "", "no capability")
            continue
        key = f"{prov.id}/{mid}"
        body = _body(f, mid, upstream, caps, where, report)
        if key in bodies:
            _merge(bodies[key], body, where, first[key], report)
            report.row(where, "mapped", key, f"merged into {first[key]}: {', '.join(caps)}")
        else:
            bodies[key], first[key] = body, where
            prov.body["models"].append(body)
            report.models += 1
            report.row(where, "imported", key, "" if mid == upstream else f"sent as {upstream!r}")
        out.capabilities.update(caps)
        out.rows[row.get("pk")] = ModelRow(
            row.get("pk"),
            prov,
            upstream,
            key,
            caps,
            f.get("is_active") is True,
            f.get("is_default") is True,
            # Tables older than created_at: the release date is the nearest thing to it.
            created(f["created_at"] if "created_at" in f else f.get("release_date")),
            c.iso_date(f.get("deprecation_date")),
            where,
            "capabilities" not in f,
        )
    _choose_active(out, bodies, report, today)
    return out


def _merge(
    kept: dict[str, Any], new: dict[str, Any], where: str, first: str, report: ImportReport
) -> None:
    kept["capabilities"] += [cap for cap in new["capabilities"] if cap not in kept["capabilities"]]
    for name in _MERGED:
        if name in new and new.get(name) != kept.get(name):
            report.lose(where, "merged-row-differs", f"{name}: kept the value of {first}")


def _choose_active(
    out: Models, bodies: dict[str, dict[str, Any]], report: ImportReport, today: _dt.date
) -> None:
    for r in out.rows.values():
        if r.is_active and r.deprecated is not None and r.deprecated <= today:
            report.note(
                r.where,
                "deprecated-inactive",
                f"{r.key}: deprecated {r.deprecated}; the seed no longer serves it",
            )
    cands: dict[tuple[str, str], list[ModelRow]] = {}
    for r in out.rows.values():
        if r.is_active and (r.deprecated is None or r.deprecated > today):
            for cap in r.caps:
                cands.setdefault((r.provider.id, cap), []).append(r)
    won: dict[str, list[str]] = {}
    for (pid, cap), rows in sorted(cands.items()):
        best = max(rows, key=ModelRow.rank)
        out.active[(pid, cap)] = best
        won.setdefault(best.key, []).append(cap)
        why = "is_default" if best.is_default else "newest created_at"
        for r in rows:
            if r.key != best.key:
                report.note(
                    r.where,
                    "single-active",
                    f"{r.key} not active for {cap}: {best.key} wins ({why})",
                )
    for key, body in bodies.items():
        caps = [cap for cap in body["capabilities"] if cap in won.get(key, [])]
        body["active"] = True if caps == body["capabilities"] else (caps or False)


def defaults_and_fallbacks(
    providers: list[ProviderRow], models: Models, report: ImportReport
) -> dict[str, Any]:
    """``defaults`` and ``fallbacks`` of the Registry from the ``is_default`` providers."""
    order = sorted((p for p in providers if p.is_default), key=lambda p: pk_order(p.pk))
    for p in order:
        if not p.is_active:
            report.note(
                f"provider {p.id}",
                "default-inactive",
                "is_default on an inactive provider: the seed skips it",
            )
    chain = [p for p in order if p.is_active]
    defaults: dict[str, str] = {}
    fallbacks: dict[str, list[str]] = {}
    for cap in sorted(models.capabilities):
        ids = [p.id for p in chain if (p.id, cap) in models.active]
        if ids:
            defaults[cap] = ids[0]
        if len(ids) > 1:
            fallbacks[cap] = ids[1:]
    if len(chain) > 1:
        report.note(
            "registry",
            "several-defaults",
            "is_default on "
            + ", ".join(p.id for p in chain)
            + ": per capability the first with an active model is the default,"
            " the others its fallbacks (oldest provider first)",
        )
    out: dict[str, Any] = {}
    if defaults:
        out["defaults"] = defaults
    if fallbacks:
        out["fallbacks"] = fallbacks
    return out
