"""``PromptTemplate`` rows -> ``PromptTemplate`` documents (docs/migrate-from-django.md).

The pin follows the seed's selection order: the ``ai_model`` foreign key when that model
can serve (active, provider active, not deprecated), else the legacy ``model``/``provider``
CharFields (a model name, or a ``model_id`` and a provider slug, the newest usable match),
else the template's ``capability`` through the default providers. Every template keeps its
``capability`` (the seed's default is ``chat``), so a pin that cannot serve falls back as
the seed does. Texts written for ``str.format`` (``{name}``, ``{{`` for a brace) become
Jinja2 (``{{ name }}``); texts already in ``{{ name }}`` form are kept.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import string
from typing import Any

from regctl.interop import common as c
from regctl.interop.django_models import ModelRow, Models, pk_order
from regctl.interop.django_providers import number
from regctl.interop.report import ImportReport

_JINJA_VAR = re.compile(r"{{-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*-?}}")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_USER = ("user_prompt", "template", "content", "user")
_SYSTEM = ("system_prompt", "system")


def is_template_row(label: str) -> bool:
    """``<app>.prompttemplate``."""
    return label.endswith(".prompttemplate")


def _first(f: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for n in names:
        if isinstance(f.get(n), str) and f[n].strip():
            return str(f[n])
    return None


def _format_fields(text: str) -> list[str] | None:
    """The fields of a ``str.format`` text, or ``None`` when it is not one."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


def to_jinja(texts: list[str], where: str, report: ImportReport) -> list[str]:
    """``str.format`` texts as Jinja2 that renders the same; Jinja-style texts unchanged."""
    fields = [_format_fields(t) for t in texts]
    if any(f is None for f in fields) or (
        not any(fields) and any(_JINJA_VAR.search(t) for t in texts)
    ):
        return texts  # already {{ name }} (Django template style), or not a format string
    out = []
    for text in texts:
        parts = []
        for literal, name, spec, conv in string.Formatter().parse(text):
            if literal:
                clash = any(mark in literal for mark in ("{{", "{%", "{#", "}}", "%}", "#}"))
                parts.append(f"{{% raw %}}{literal}{{% endraw %}}" if clash else literal)
            if name is None:
                continue
            if not _IDENT.match(name) or spec or conv:
                report.lose(where, "template-field", f"{{{name}}} with a format spec: kept plain")
            parts.append(f"{{{{ {name.split('.')[0].split('[')[0] or 'value'} }}}}")
        # Jinja2 drops one trailing newline of a template; str.format keeps it.
        out.append("".join(parts) + ("\n" if text.endswith("\n") else ""))
    return out


def _variables(raw: Any, texts: list[str]) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = [v.strip() for v in raw.split(",")]
    out: dict[str, Any] = {}
    if isinstance(raw, dict):
        for name, spec in raw.items():
            spec = spec if isinstance(spec, dict) else {}
            var: dict[str, Any] = {}
            if spec.get("default") is not None:
                var["default"] = spec["default"]
            else:
                var["required"] = bool(spec.get("required", True))
            if isinstance(spec.get("description"), str):
                var["description"] = spec["description"]
            out[str(name)] = var
    elif isinstance(raw, list):
        out = {str(n): {"required": True} for n in raw if str(n).strip()}
    for text in texts:  # declare what the texts use, so they render
        for name in _JINJA_VAR.findall(text):
            out.setdefault(name, {"required": True})
    return dict(sorted(out.items()))


def _legacy(f: dict[str, Any], models: Models, cap: str) -> list[ModelRow]:
    """Rows the legacy ``model``/``provider`` fields name, best first (the seed's order)."""
    name, prov = f.get("model"), f.get("provider")
    if not isinstance(name, str) or not name.strip():
        return []
    rows = [
        r
        for r in models.rows.values()
        if r.upstream == name.strip()
        and (not prov or r.provider.ident == prov)
        and (not r.per_capability or cap in r.caps)  # seed 003 matches the capability's row
    ]
    return sorted(rows, key=lambda r: (r.created_at, pk_order(r.pk)), reverse=True)


def _pin(
    f: dict[str, Any], models: Models, cap: str, where: str, today: _dt.date, report: ImportReport
) -> ModelRow | None:
    fk = f.get("ai_model", f.get("model") if not isinstance(f.get("model"), str) else None)
    fk = fk[0] if isinstance(fk, list) and len(fk) == 1 else fk
    pinned = models.rows.get(fk) if isinstance(fk, (int, str)) else None
    if fk is not None and pinned is None:
        report.lose(where, "unknown-model", f"ai_model {fk!r} was not imported: pin dropped")
    if pinned is not None and pinned.usable(today):
        return pinned
    legacy = _legacy(f, models, cap) if isinstance(f.get("model"), str) else []
    usable = [r for r in legacy if r.usable(today)]
    if usable:
        why = f"ai_model {pinned.key} cannot serve; " if pinned is not None else ""
        report.note(where, "legacy-pin", f"{why}pinned {usable[0].key} from model/provider")
        return usable[0]
    if isinstance(f.get("model"), str) and f["model"].strip() and not legacy:
        report.note(
            where,
            "legacy-unmatched",
            f"model {f['model']!r} matches no row: the seed falls back to {cap}",
        )
    # Nothing usable: pin what the seed would have tried, so regctl falls back the same way.
    return pinned or (legacy[0] if legacy else None)


def import_templates(
    rows: list[tuple[str, dict[str, Any]]],
    models: Models,
    report: ImportReport,
    today: _dt.date,
    defaults: dict[str, str],
) -> list[dict[str, Any]]:
    """Template bodies for the writer, one per active row (``defaults``: the Registry's)."""
    out: dict[str, dict[str, Any]] = {}
    for where, row in sorted(rows, key=lambda r: pk_order(r[1].get("pk"))):
        f = row["fields"]
        ident = str(f.get("slug") or f.get("name") or "")
        if f.get("is_active") is False:
            report.row(where, "dropped", "", f"template {ident!r} is inactive: the seed refuses it")
            continue
        tid = c.provider_id(ident)  # same id rules as providers
        if tid is None or tid in out:
            why = "taken" if tid else "not a valid id"
            report.row(where, "dropped", "", f"template id {ident!r} {why}")
            continue
        system, user = _first(f, _SYSTEM), _first(f, _USER)
        if system is None and user is None:
            report.row(where, "dropped", "", f"template {tid!r} has no text")
            continue
        cap = str(f.get("capability") or "").strip() or "chat"
        pin = _pin(f, models, cap, where, today, report)
        converted = iter(to_jinja([t for t in (system, user) if t is not None], where, report))
        system = next(converted) if system is not None else None
        user = next(converted) if user is not None else None
        body: dict[str, Any] = {"id": tid}
        if isinstance(f.get("description"), str) and f["description"].strip():
            body["description"] = f["description"].strip()
        body["capability"] = cap
        models.capabilities.add(cap)
        if pin is not None:
            # regctl serves a template pin only while it is the active model for the
            # template's capability (docs/resolution.md, step 2); the seed, while usable.
            won = models.active.get((pin.provider.id, cap))
            serves = won is not None and won.key == pin.key and pin.usable(today)
            if pin.usable(today) and not serves:
                report.note(
                    where,
                    "pin-not-active",
                    f"{pin.key} is not the active {cap} model (legacy rows): regctl falls"
                    f" back to the {cap} model, where the seed served the pin",
                )
            if not serves and cap not in defaults:
                # Kept, the pin would fail validation; dropped, the answer is the same.
                report.lose(where, "pin-unservable", f"{pin.key}: no default for {cap} either")
                pin = None
        if pin is not None:
            body["model"] = pin.key
            if cap not in pin.caps:
                report.lose(where, "pin-capability", f"{pin.key} has no capability {cap!r}")
        body["variables"] = _variables(f.get("variables"), [t for t in (system, user) if t]) or None
        body["system"], body["user"] = system, user
        params: dict[str, Any] = {}
        temp = number(f.get("temperature"))
        if temp is not None and 0 <= temp <= 2:
            params["temperature"] = temp
        elif temp is not None:
            report.lose(where, "invalid-temperature", repr(f.get("temperature")))
        mt = f.get("max_tokens")
        if isinstance(mt, int) and not isinstance(mt, bool) and mt > 0:
            params["max_tokens"] = mt
        body["params"] = params or None
        out[tid] = c.drop_none(body)
        pinned = f" pinned to {pin.key}" if pin is not None else ""
        report.row(where, "imported", f"template {tid}", f"{cap}{pinned}")
    return list(out.values())
