"""Read-only views of a compiled registry for people: model tables, price rankings, and
every field of a provider or model with the ``file:line`` it comes from.

Everything works on the manifest dict that ``regctl compile`` produces (so environments,
defaults and overlays are already applied) plus, for ``show``, the validator's positioned
mappings (:class:`Sources`) that know where each field was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regctl.base.errors import RegctlError
from regctl.base.i18n import N_, msg
from regctl.base.suggest import did_you_mean, unknown
from regctl.pipeline.positions import PosDict

if TYPE_CHECKING:
    from regctl.pipeline.validate import ValidationReport

SORT_KEYS = ("name", "price", "context", "released")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned plain-text columns (numbers right-aligned), two spaces apart."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    # A column is numeric (right-aligned) when its cells are numbers or "-" and at least
    # one is a number: a column of dashes only stays left-aligned under its header.
    numeric = [
        any(r[i] != "-" for r in rows) and all(_numeric(r[i]) for r in rows if r[i] != "-")
        for i in range(len(headers))
    ]

    def fmt(row: Sequence[str]) -> str:
        cols = zip(row, widths, numeric, strict=True)
        cells = [c.rjust(w) if num else c.ljust(w) for c, w, num in cols]
        return "  ".join(cells).rstrip()

    return "\n".join([fmt(headers), *(fmt(r) for r in rows)])


def _numeric(s: str) -> bool:
    try:
        float(s.replace(",", "").lstrip("$"))
    except ValueError:
        return False
    return True


def _money(v: Any) -> str:
    return "-" if v is None else f"{float(v):g}"


def _price_key(m: dict[str, Any]) -> tuple[int, float, float]:
    p = m.get("pricing") or {}
    if "input_per_mtok" not in p and "output_per_mtok" not in p:
        return (1, 0.0, 0.0)
    return (0, float(p.get("input_per_mtok", 0)), float(p.get("output_per_mtok", 0)))


def select_models(
    manifest: dict[str, Any],
    *,
    providers: Sequence[str] = (),
    capability: str | None = None,
    active: bool | None = None,
    sort: str = "name",
) -> list[tuple[str, dict[str, Any]]]:
    """The manifest's models filtered and sorted as ``regctl ls models`` shows them.

    ``active=True`` keeps the models active (for ``capability`` when given), ``False``
    the others, ``None`` all of them (as :meth:`regctl.client.Registry.models`).

    ``price`` sorts cheapest first (input, then output price; unpriced last), ``context``
    largest first, ``released`` newest first; ties keep the ``provider/model`` order.
    """
    if sort not in SORT_KEYS:
        raise RegctlError(
            msg("unknown sort key '{key}' (use one of {keys})", key=sort, keys=", ".join(SORT_KEYS))
        )
    _check_names(manifest, providers, capability)
    out = []
    for ref, m in sorted(manifest.get("models", {}).items()):
        if providers and m.get("provider") not in providers:
            continue
        if capability is not None and capability not in m.get("capabilities", []):
            continue
        is_active = bool(capability in m.get("active", []) if capability else m.get("active"))
        if active is not None and is_active != active:
            continue
        out.append((ref, m))
    if sort == "price":
        out.sort(key=lambda rm: _price_key(rm[1]))
    elif sort == "context":
        out.sort(key=lambda rm: -int((rm[1].get("limits") or {}).get("context_window", 0)))
    elif sort == "released":
        out.sort(key=lambda rm: str(rm[1].get("released", "")), reverse=True)
    return out


def _check_names(
    manifest: dict[str, Any], providers: Sequence[str], capability: str | None
) -> None:
    """A name that is not in the manifest is a typo, not an empty answer: the same
    messages as the client's ``unknown_provider`` and ``unknown_capability``."""
    known = manifest.get("providers") or {}
    for pid in providers:
        if pid not in known:
            template = N_("unknown provider '{provider}'{hint} (known: {known})")
            raise RegctlError(unknown(template, pid, known, provider=pid))
    vocabulary = (manifest.get("registry") or {}).get("capabilities")
    if capability is not None and vocabulary is not None and capability not in vocabulary:
        template = N_("unknown capability '{capability}'{hint} (known: {known})")
        raise RegctlError(unknown(template, capability, vocabulary, capability=capability))


def models_table(models: list[tuple[str, dict[str, Any]]]) -> str:
    """The ``ls models`` table; NAME is the display name in the user's language."""
    from regctl.base.i18n import language
    from regctl.client.types import pick_name

    lang = language()
    rows = []
    for ref, m in models:
        p = m.get("pricing") or {}
        ctx = (m.get("limits") or {}).get("context_window")
        rows.append(
            [
                ref,
                ",".join(m.get("active", [])) or "-",
                ",".join(m.get("capabilities", [])),
                f"{ctx:,}" if isinstance(ctx, int) else "-",
                _money(p.get("input_per_mtok")),
                _money(p.get("output_per_mtok")),
                str(m.get("released", "-")),
                # Last: a name may hold spaces, and scripts split the columns before it.
                pick_name(str(m.get("display_name") or ref), m.get("display_names") or {}, lang),
            ]
        )
    headers = [
        "MODEL", "ACTIVE", "CAPABILITIES", "CONTEXT", "IN $/MTOK", "OUT $/MTOK", "RELEASED", "NAME",
    ]  # fmt: skip
    return table(headers, rows)


@dataclass(frozen=True)
class CostRow:
    """One model's price for a call of a given size."""

    ref: str
    usd: float
    input_per_mtok: float
    output_per_mtok: float


def cost_ranking(
    manifest: dict[str, Any],
    input_tokens: int,
    output_tokens: int,
    *,
    capability: str | None = None,
    active: bool = False,
) -> tuple[list[CostRow], list[str], list[str]]:
    """Models ranked by the USD price of one call, cheapest first; the unpriced ones; and
    the ones whose context window cannot hold ``input_tokens`` (left out of the ranking)."""
    rows, unpriced, too_small = [], [], []
    for ref, m in select_models(manifest, capability=capability, active=active or None):
        window = (m.get("limits") or {}).get("context_window")
        if isinstance(window, int) and input_tokens > window:
            too_small.append(ref)
            continue
        p = m.get("pricing") or {}
        if "input_per_mtok" not in p and "output_per_mtok" not in p:
            unpriced.append(ref)
            continue
        i, o = float(p.get("input_per_mtok", 0)), float(p.get("output_per_mtok", 0))
        rows.append(CostRow(ref, (input_tokens * i + output_tokens * o) / 1_000_000, i, o))
    rows.sort(key=lambda r: (r.usd, r.ref))
    return rows, unpriced, too_small


def cost_table(rows: list[CostRow]) -> str:
    """The ``cost-compare`` table."""
    body = [
        [str(n), r.ref, f"{r.usd:.6f}", _money(r.input_per_mtok), _money(r.output_per_mtok)]
        for n, r in enumerate(rows, 1)
    ]
    return table(["#", "MODEL", "USD/CALL", "IN $/MTOK", "OUT $/MTOK"], body)


# --- show -------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for k in sorted(value):
            yield from _flatten(value[k], f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, value


@dataclass(frozen=True)
class Sources:
    """Where providers and models are written, as the validator's positioned mappings.

    ``show`` used to parse every file with ruamel.yaml to find lines (12 s on a
    5,000-model registry); the validator has already read them with positions.
    """

    providers: dict[str, PosDict]
    models: dict[tuple[str, str], PosDict]
    overlay: PosDict | None = None  # the environment document, when one is shown

    @classmethod
    def of(cls, report: ValidationReport, env: str | None) -> Sources:
        base = report.registry.base
        models = {(p, m): pm.raw for p, by_id in base.models.items() for m, pm in by_id.items()}
        overlay = report.registry.environments[env].raw if env is not None else None
        return cls({p: e.raw for p, e in base.providers.items()}, models, overlay)


def _pos(node: Any, path: list[str]) -> str | None:
    """``file:line`` of the key at ``path`` below ``node``, or None if it is not written."""
    for i, key in enumerate(path):
        if not isinstance(node, PosDict) or key not in node:
            return None
        if i == len(path) - 1:
            loc = node.key_pos[key]
            return f"{loc.file}:{loc.line}"
        node = node[key]
    return None


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "null" if value is None else str(value)


def _source_nodes(src: Sources, provider: str, model: str | None) -> list[PosDict]:
    """The mappings that can hold the fields, the overlay first (it wins)."""
    out: list[PosDict] = []
    if src.overlay is not None:
        node: Any = src.overlay
        for key in ["providers", provider] + (["models", model] if model else []):
            node = node.get(key) if isinstance(node, PosDict) else None
        if isinstance(node, PosDict):
            out.append(node)
    if model is None:
        if provider in src.providers:
            out.append(src.providers[provider])
    elif (provider, model) in src.models:
        out.append(src.models[(provider, model)])
    return out


def show_data(
    manifest: dict[str, Any], index: Sources, target: str, env: str | None = None
) -> dict[str, Any]:
    """Every field of provider ``P`` or model ``P/M`` with the ``file:line`` it comes from.

    Fields that no file sets have source ``None`` (shown as ``(default)``). An unknown
    name fails with a did-you-mean drawn from the registry's other names.
    """
    provider, _, model = target.partition("/")
    models = manifest.get("models", {})
    providers = manifest.get("providers", {})
    if model:
        entry = models.get(target)
        if entry is None:
            hint = did_you_mean(target, list(models))
            raise RegctlError(
                msg("no model '{model}' in the registry{hint}", model=target, hint=hint)
            )
    else:
        entry = providers.get(provider)
        if entry is None:
            hint = did_you_mean(provider, list(providers))
            if not hint:
                hint = did_you_mean(provider, list(models))
            raise RegctlError(
                msg("no provider '{provider}' in the registry{hint}", provider=provider, hint=hint)
            )
    nodes = _source_nodes(index, provider, model or None)
    fields = []
    for key, value in _flatten(entry):
        where = None
        for node in nodes:
            where = _pos(node, key.split("."))
            if where:
                break
        if where is None and model and key == "provider" and provider in index.providers:
            # An inline model takes its provider from the Provider document it sits in.
            where = _pos(index.providers[provider], ["id"])
        fields.append({"field": key, "value": _plain(value), "source": where})
    out: dict[str, Any] = {
        "kind": "model" if model else "provider",
        "id": target if model else provider,
        "environment": env,
        "fields": fields,
    }
    if not model:
        out["models"] = sorted(r for r, m in models.items() if m.get("provider") == provider)
        out["active"] = dict(sorted(manifest.get("active", {}).get(provider, {}).items()))
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def show_entry(
    manifest: dict[str, Any], index: Sources, target: str, env: str | None = None
) -> str:
    """:func:`show_data` as the text ``regctl show`` prints."""
    data = show_data(manifest, index, target, env)
    rows = [[f["field"], _shown(f["value"]), f["source"] or "(default)"] for f in data["fields"]]
    title = f"{data['kind']} {data['id']}"
    entry = (
        manifest.get("models", {}) if data["kind"] == "model" else manifest.get("providers", {})
    ).get(data["id"], {})
    if entry.get("display_names"):
        # The name in the user's language (regctl --lang / $REGCTL_LANG / $LANG).
        from regctl.base.i18n import language
        from regctl.client.types import pick_name

        title += f" ({pick_name(entry['display_name'], entry['display_names'], language())})"
    if env:
        title += f" (environment {env})"
    text = title + "\n" + table(["FIELD", "VALUE", "SOURCE"], rows)
    if data["kind"] == "provider":
        text += "\nmodels: " + (", ".join(data["models"]) or "none")
        if data["active"]:
            text += "\nactive: " + ", ".join(f"{c} -> {r}" for c, r in data["active"].items())
    return text
