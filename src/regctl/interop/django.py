"""``regctl import django``: a Django deployment of the AI provider tables -> a registry.

Reads a ``manage.py dumpdata`` file or the SQLite database itself
(:mod:`regctl.interop.django_source`), in either seed schema: seed 000 (providers by
``name``, models with a ``capabilities`` list) or seed 003 (providers by ``slug`` with a
``provider_type``, one ``capability`` and a ``model_id`` per model row). Each table has
its module: providers, models (and the defaults), templates, keys. Every source row gets
one line in the report: imported, mapped (merged or carried as a reference),
not-needed, or dropped, with why. Plaintext keys are never written: each becomes an
``env:`` reference. docs/migrate-from-django.md has the field-by-field mapping.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError
from regctl.interop.django_keys import import_keys, ref
from regctl.interop.django_models import defaults_and_fallbacks, import_models
from regctl.interop.django_providers import ProviderRow, provider_row
from regctl.interop.django_source import read_database, read_dump
from regctl.interop.django_templates import import_templates
from regctl.interop.modelsdev import ImportResult
from regctl.interop.report import FRAMEWORK_ROW, ImportReport
from regctl.pipeline.schema import CAPABILITIES

TABLES = ("aiprovider", "aimodel", "prompttemplate", "userapikey")
AUTH = ("auth.user", "auth.group", "auth.permission", "contenttypes.contenttype")
#: Django's own apps: their rows hold nothing for a registry.
FRAMEWORK = ("admin.", "sessions.", "sites.", "auth.", "contenttypes.")
#: Every field of both seed schemas, per table (docs/migrate-from-django.md maps each; a
#: few only order rows or become references). A field outside these with a value is
#: reported lost, so "nothing dropped" means every field was read.
FIELDS: dict[str, frozenset[str]] = {
    "aiprovider": frozenset(
        [
            "name",
            "slug",
            "display_name",
            "provider_type",
            "api_key",
            "base_url",
            "is_active",
            "is_default",
            "shared_api_enabled",
            "default_temperature",
            "default_max_tokens",
            "description",
            "documentation_url",
            "created_at",
        ]
    ),
    "aimodel": frozenset(
        [
            "provider",
            "name",
            "model_id",
            "display_name",
            "capabilities",
            "capability",
            "max_tokens",
            "context_window",
            "supports_system_prompt",
            "supports_streaming",
            "input_price_per_million",
            "output_price_per_million",
            "is_active",
            "is_default",
            "release_date",
            "deprecation_date",
            "created_at",
        ]
    ),
    "prompttemplate": frozenset(
        [
            "name",
            "slug",
            "description",
            "capability",
            "ai_model",
            "model",
            "provider",
            "system_prompt",
            "user_prompt",
            "variables",
            "temperature",
            "max_tokens",
            "is_active",
        ]
    ),
    "userapikey": frozenset(["user", "provider", "api_key", "is_active"]),
}


def import_django(
    path: Path | None = None,
    *,
    database: str | None = None,
    app: str | None = None,
    as_of: _dt.date | None = None,
) -> ImportResult:
    """Import a dumpdata file at ``path`` or the database at ``database`` (``sqlite:///``).

    ``app`` picks the Django app whose tables to read when several hold them.
    ``as_of`` is the day deprecation dates are compared with (default: today).
    """
    if (path is None) == (database is None):
        raise RegctlError("give a dumpdata FILE or --database URL (one of them)")
    rows = read_dump(path) if path is not None else read_database(str(database))
    source = Path(path).name if path is not None else str(database)
    return import_rows(rows, source=source, app=app, as_of=as_of)


def _label(row: Any) -> str:
    return str(row.get("model", "")).lower() if isinstance(row, dict) else ""


def _app(rows: list[Any], app: str | None) -> str:
    apps = sorted({_label(r).split(".")[0] for r in rows if _label(r).endswith(".aiprovider")})
    if app is not None:
        if app not in apps:
            raise RegctlError(
                f"--app {app!r}: no AIProvider rows (apps with them: {apps or 'none'})"
            )
        return app
    if len(apps) > 1:
        raise RegctlError(
            f"several apps hold AIProvider rows ({', '.join(apps)}): choose one with --app"
        )
    if not apps:
        raise RegctlError("no AIProvider rows: not a dump or database of the AI provider tables")
    return apps[0]


def import_rows(
    rows: list[Any], *, source: str, app: str | None = None, as_of: _dt.date | None = None
) -> ImportResult:
    """Map dumpdata-shaped ``rows`` (see the module docstring)."""
    today = as_of or _dt.date.today()
    report = ImportReport(source=source)
    label = _app(rows, app)
    tables: dict[str, list[tuple[str, dict[str, Any]]]] = {t: [] for t in (*TABLES, "auth")}
    order: dict[str, int] = {}
    for i, row in enumerate(rows):
        name = _label(row)
        pk = row.get("pk") if isinstance(row, dict) else None
        if not name or not isinstance(row.get("fields"), dict) or ref(pk) != pk:
            report.row(f"[{i}]", "dropped", "", "not a dumpdata row")
            continue
        where = f"{row.get('model')}:{row.get('pk')}"
        order.setdefault(where, i)
        app_label, _, model = name.partition(".")
        if model in TABLES and (app_label == label or model in ("prompttemplate", "userapikey")):
            # Templates and personal keys sometimes live in another app (``core``).
            tables[model].append((where, row))
            _unknown_fields(model, where, row["fields"], report)
        elif name in AUTH:
            tables["auth"].append((where, row))
        elif name.startswith(FRAMEWORK):
            report.row(where, "not-needed", "", FRAMEWORK_ROW)
        elif app_label == label:
            report.row(where, "not-needed", "", f"{name} is not an AI registry table")
        else:
            report.row(where, "dropped", "", f"table {name} is not one regctl reads")
    taken: dict[str, str] = {}
    providers: dict[Any, ProviderRow] = {}
    for where, row in tables["aiprovider"]:
        found = provider_row(row, where, report, taken)
        if found is not None:
            providers[row.get("pk")] = found
    models = import_models(tables["aimodel"], providers, report, today)
    plist = list(providers.values())
    registry = defaults_and_fallbacks(plist, models, report)
    templates = import_templates(
        tables["prompttemplate"], models, report, today, registry.get("defaults", {})
    )
    import_keys(tables["auth"], tables["userapikey"], providers, label, report)
    extra = {cap for cap in models.capabilities if cap not in CAPABILITIES}
    for cap in sorted(extra):
        report.note(
            "registry",
            "capability-declared",
            f"{cap!r} is not in regctl's vocabulary: declared in capabilities",
        )
    report.rows.sort(key=lambda r: order.get(r.row, len(rows)))
    report.extra["provider_ids"] = {p.ident: p.id for p in plist}
    report.extra["schema"] = "seed 003 (slug, model_id)" if _is_003(tables) else "seed 000 (name)"
    counts = Counter(r.status for r in report.rows)
    report.extra["summary"] = dict(sorted(counts.items()))
    result = ImportResult.of(
        [p.body for p in plist], "django-import", report, extra, registry=registry
    )
    result.templates = templates
    return result


def _unknown_fields(table: str, where: str, fields: dict[str, Any], report: ImportReport) -> None:
    for name in sorted(set(fields) - FIELDS[table], key=str):
        if fields[name] not in (None, "", [], {}):
            shown = name if len(name) <= 80 else name[:80] + "..."
            report.lose(where, "unknown-field", f"{shown!r} is not a field of either seed schema")


def _is_003(tables: dict[str, list[tuple[str, dict[str, Any]]]]) -> bool:
    return any("slug" in r["fields"] for _, r in tables["aiprovider"]) or any(
        "model_id" in r["fields"] for _, r in tables["aimodel"]
    )
