"""The rows of a Django deployment, from a ``dumpdata`` file or from its SQLite database.

Both give the same thing: a list of ``{"model": "app.model", "pk": ..., "fields": {...}}``
rows, as ``manage.py dumpdata`` writes them (foreign keys as primary keys, many-to-many
fields as lists of primary keys, booleans as ``true``/``false``, JSON fields decoded), so
one importer reads either.

Both inputs are untrusted: the file is read through the bounded I/O layer (regular
file, size cap); the database is read the same way into a private copy that SQLite opens
read-only, with a deadline on every statement (a hostile view could loop) and only the
tables this importer knows, named from ``sqlite_master`` and quoted. The database is
never opened in place, so nothing is written next to it (no journal, no WAL file).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from regctl.base.errors import RegctlError, UsageError
from regctl.io import safeio

#: A dumpdata file or a database larger than this is refused (the seed's are a few KiB).
MAX_SOURCE_BYTES = 256 * 1024 * 1024
#: Seconds one SQLite read may take in all.
DEADLINE = 30.0
#: Tables read from a database: Django's model name -> how to find the table.
APP_MODELS = ("aiprovider", "aimodel", "prompttemplate", "userapikey")
AUTH_TABLES = {
    "auth_user": "auth.user",
    "auth_group": "auth.group",
    "auth_permission": "auth.permission",
    "django_content_type": "contenttypes.contenttype",
}
#: Many-to-many tables: (table, owner label, field, owner column, other column).
M2M = (
    ("auth_user_groups", "auth.user", "groups", "user_id", "group_id"),
    ("auth_user_user_permissions", "auth.user", "user_permissions", "user_id", "permission_id"),
    ("auth_group_permissions", "auth.group", "permissions", "group_id", "permission_id"),
)


def read_dump(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``dumpdata`` JSON file (a list of objects with ``model`` and ``fields``)."""
    try:
        text = safeio.read_text(path, MAX_SOURCE_BYTES)
        rows = json.loads(text)
    except safeio.SafeReadError as exc:
        raise RegctlError(f"{path}: {exc}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RegctlError(f"{path}: not a Django dumpdata fixture (bad JSON: {exc})") from None
    if not isinstance(rows, list):
        raise RegctlError(f"{path}: not a Django dumpdata fixture (expected a JSON list)")
    return rows


def parse_database_url(url: str) -> Path:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db`` (Django's dj-database-url form)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("sqlite", "sqlite3"):
        raise UsageError(
            f"--database {url!r}: only sqlite:///PATH is supported"
            " (dump other databases with `manage.py dumpdata`)"
        )
    if not rest.startswith("/") or rest in ("/", "//"):
        raise UsageError(f"--database {url!r}: want sqlite:///PATH")
    return Path(rest[1:])  # sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db


def read_database(url: str) -> list[dict[str, Any]]:
    """The rows of a Django SQLite database, shaped as :func:`read_dump` gives them."""
    path = parse_database_url(url)
    try:
        raw = safeio.read_regular(path, MAX_SOURCE_BYTES)
    except safeio.SafeReadError as exc:
        raise RegctlError(f"{path}: {exc}") from None
    if not raw.startswith(b"SQLite format 3\x00"):
        raise RegctlError(f"{path}: not an SQLite database")
    fd, copy = tempfile.mkstemp(prefix="regctl-django-", suffix=".sqlite3")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        return _rows_of(copy, path)
    finally:
        os.unlink(copy)


def _rows_of(copy: str, shown: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    started = time.monotonic()
    # Returning non-zero from the handler aborts the statement: the deadline holds even
    # inside a recursive view a hostile file defines.
    conn.set_progress_handler(lambda: int(time.monotonic() - started > DEADLINE), 10_000)
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
        tables = {
            name: sql or ""
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
            if isinstance(name, str)
        }
        rows: list[dict[str, Any]] = []
        for table in sorted(tables):
            label = AUTH_TABLES.get(table) or _app_label(table)
            if label is not None:
                rows += _table_rows(conn, table, label, tables[table])
        by_label: dict[tuple[str, Any], dict[str, Any]] = {(r["model"], r["pk"]): r for r in rows}
        for table, owner, field, left, right in M2M:
            if table in tables:
                for row in by_label.values():
                    if row["model"] == owner:
                        row["fields"].setdefault(field, [])
                for a, b in _select(conn, table, [left, right]):
                    target = by_label.get((owner, a))
                    if target is not None:
                        target["fields"][field].append(b)
        # dumpdata's order: the app's tables, then Django's own.
        rank = {name: i for i, name in enumerate((*APP_MODELS, *AUTH_TABLES.values()))}
        return sorted(
            rows, key=lambda r: rank.get(r["model"], rank.get(r["model"].partition(".")[2], 99))
        )
    except sqlite3.DatabaseError as exc:
        why = "took too long" if time.monotonic() - started > DEADLINE else str(exc)
        raise RegctlError(f"{shown}: cannot read the database ({why})") from None
    finally:
        conn.close()


def _app_label(table: str) -> str | None:
    """``seed000_aimodel`` -> ``seed000.aimodel`` (Django's default ``db_table``)."""
    for model in APP_MODELS:
        app = table[: -len(model) - 1]
        if table.lower().endswith("_" + model) and app:
            return f"{app}.{model}"
    return None


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    info = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    return [(str(c[1]), str(c[2] or "").lower()) for c in info]


def _select(conn: sqlite3.Connection, table: str, cols: list[str]) -> list[tuple[Any, ...]]:
    names = ", ".join(_quote(c) for c in cols)
    return conn.execute(f"SELECT {names} FROM {_quote(table)} ORDER BY 1").fetchall()


def _table_rows(conn: sqlite3.Connection, table: str, label: str, sql: str) -> list[dict[str, Any]]:
    cols = _columns(conn, table)
    names = [c for c, _ in cols]
    if "id" not in names:
        return []
    types = dict(cols)
    out = []
    for values in _select(conn, table, names):
        fields: dict[str, Any] = {}
        pk = None
        for (name, _), value in zip(cols, values):
            if name == "id":
                pk = value
                continue
            key = name[:-3] if name.endswith("_id") and _declares(sql, name, "REFERENCES") else name
            fields[key] = _value(value, types[name], _declares(sql, name, "JSON_VALID"))
        out.append({"model": label, "pk": pk, "fields": fields})
    return out


def _declares(sql: str, column: str, word: str) -> bool:
    """Whether the column's definition says ``word``: Django declares a foreign key
    ``<field>_id ... REFERENCES`` and a JSONField ``CHECK (JSON_VALID(...))``."""
    return any(
        part.lstrip().startswith(f'"{column}"') and word in part.upper() for part in sql.split(", ")
    )


def _value(value: Any, sqltype: str, is_json: bool) -> Any:
    """SQLite's storage back to dumpdata's JSON: booleans, JSON fields, decimals as text."""
    if sqltype == "bool" and value in (0, 1):
        return bool(value)
    if is_json and isinstance(value, str):
        try:
            return json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return value
    if sqltype.startswith("decimal") and isinstance(value, (int, float)):
        return str(value)
    if sqltype == "datetime" and isinstance(value, str):
        return value.replace(" ", "T", 1)
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
