"""``core.prompttemplate`` rows of a Django dumpdata file -> ``PromptTemplate`` documents.

Fields read (the others are ignored): ``slug`` or ``name`` (the id), ``description``,
``system_prompt``/``system``, ``user_prompt``/``template``/``content``/``user``,
``model`` (foreign key to an ``aimodel`` row, by pk or ``[provider, name]``),
``capability``, ``variables`` (a JSON list of names, or an object name ->
``{required, default, description}``), ``temperature``, ``max_tokens``, ``is_active``.

A template pinned to a model gets that pin *and* a capability (the row's, else ``chat``
when the model has it, else the model's first), so that it falls back instead of failing
when the model is retired. Without ``variables`` the names used as ``{{ name }}`` are
declared required. Inactive rows are skipped and reported.
"""

from __future__ import annotations

import json
import re
from typing import Any

from regctl.interop import common as c
from regctl.interop.report import ImportReport

_USED = re.compile(r"{{-?\s*([A-Za-z_][A-Za-z0-9_]*)")
_SYSTEM = ("system_prompt", "system")
_USER = ("user_prompt", "template", "content", "user")


def is_template_row(label: str) -> bool:
    """``core.prompttemplate`` (any app label)."""
    return label.endswith(".prompttemplate")


def _first(f: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for n in names:
        if isinstance(f.get(n), str) and f[n].strip():
            return str(f[n])
    return None


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
        for name in _USED.findall(text):
            out.setdefault(name, {"required": True})
    return dict(sorted(out.items()))


def import_templates(
    rows: list[dict[str, Any]],
    models_by_pk: dict[Any, tuple[str, list[str]]],
    report: ImportReport,
    capability_of: Any,
) -> list[dict[str, Any]]:
    """Template bodies for the writer; ``models_by_pk``: aimodel pk -> (key, capabilities)."""
    out: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: str(r.get("pk"))):
        f, where = row["fields"], f"{row.get('model')}:{row.get('pk')}"
        if f.get("is_active") is False:
            report.skip(where, "inactive-template", str(f.get("name") or ""))
            continue
        tid = c.provider_id(str(f.get("slug") or f.get("name") or ""))  # same id rules
        if tid is None:
            report.skip(where, "invalid-template-id", repr(f.get("slug") or f.get("name")))
            continue
        system, user = _first(f, _SYSTEM), _first(f, _USER)
        if system is None and user is None:
            report.skip(where, "empty-template", tid)
            continue
        fk = f.get("model")
        fk = tuple(fk) if isinstance(fk, list) else fk
        pinned = models_by_pk.get(fk) if fk is not None else None
        if fk is not None and pinned is None:
            report.note(where, "unknown-model", f"{tid}: model {fk!r} not imported, pin dropped")
        cap = capability_of(f.get("capability"), where) if f.get("capability") else None
        if pinned is not None and cap is None:
            caps = pinned[1]
            cap = "chat" if "chat" in caps else caps[0]
        if pinned is None and cap is None:
            report.skip(where, "no-model-or-capability", tid)
            continue
        body: dict[str, Any] = {"id": tid}
        if isinstance(f.get("description"), str) and f["description"].strip():
            body["description"] = f["description"].strip()
        body["capability"] = cap
        if pinned is not None:
            body["model"] = pinned[0]
        texts = [t for t in (system, user) if t is not None]
        body["variables"] = _variables(f.get("variables"), texts) or None
        if system is not None:
            body["system"] = system
        if user is not None:
            body["user"] = user
        params: dict[str, Any] = {}
        temp = f.get("temperature")
        if isinstance(temp, (int, float, str)) and not isinstance(temp, bool):
            try:
                if 0 <= float(temp) <= 2:
                    params["temperature"] = float(temp)
            except ValueError:
                report.note(where, "invalid-temperature", repr(temp))
        mt = f.get("max_tokens")
        if isinstance(mt, int) and not isinstance(mt, bool) and mt > 0:
            params["max_tokens"] = mt
        body["params"] = params or None
        if tid in out:
            report.skip(where, "duplicate-template-id", tid)
            continue
        out[tid] = c.drop_none(body)
    return list(out.values())
