"""`regctl import django` reads a dump or the database itself, writes only below -o, and
treats both as untrusted input (bounded reads, read-only, deadline, escaped output)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_module, run_cli
from tests.interop import django_oracle as o

from regctl.base.errors import RegctlError
from regctl.interop import django_source


@pytest.fixture(scope="module", params=["seed000", "seed003"])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    require_module("django")
    root = tmp_path_factory.mktemp(request.param)
    db = root / "db.sqlite3"
    o.build(db, request.param, edges=True)
    return request.param, db, o.dump(db, request.param, root / "dump.json")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_database_gives_the_registry_the_dump_gives(seeded: Any, cli: Any, tmp_path: Path) -> None:
    _, db, dump = seeded
    before = db.read_bytes()
    via_db = cli("import", "django", "--database", f"sqlite:///{db}", "-o", str(tmp_path / "a"))
    via_dump = cli("import", "django", str(dump), "-o", str(tmp_path / "b"))
    assert via_db.returncode == 0 and via_dump.returncode == 0, via_db.stderr + via_dump.stderr
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert db.read_bytes() == before  # opened read-only, on a private copy
    assert sorted(p.name for p in db.parent.iterdir()) == ["db.sqlite3", "dump.json"]


def test_nothing_outside_output_and_no_secret_anywhere(
    seeded: Any, cli: Any, tmp_path: Path
) -> None:
    _, _, dump = seeded
    work = tmp_path / "work"
    work.mkdir()

    proc = run_cli(
        "import", "django", str(dump), "-o", "out", "--report", "out/report.json", cwd=work
    )
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in work.iterdir()] == ["out"]  # no schemas/ beside it
    assert (work / "out/schemas/registry.schema.json").is_file()
    rows = json.loads(dump.read_text())
    secrets = [r["fields"]["api_key"] for r in rows if r["fields"].get("api_key")]
    secrets += [r["fields"]["password"] for r in rows if r["model"] == "auth.user"]
    assert len(secrets) > 8
    written = b"".join(_files(work / "out").values()).decode() + proc.stdout + proc.stderr
    for value in secrets:
        assert value not in written and value[:12] not in written
    assert "@example.com" not in written  # users' emails stay in Django


def test_strict_fails_on_the_edges_and_names_what_was_dropped(
    seeded: Any, cli: Any, tmp_path: Path
) -> None:
    _, _, dump = seeded
    proc = cli("import", "django", str(dump), "-o", str(tmp_path / "out"), "--strict")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: --strict: ") and "Traceback" not in proc.stderr
    assert "dropped" in proc.stdout


def _sqlite(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not a database at all"), "not an SQLite database"),
        (
            lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000),
            "cannot read the database",
        ),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.mkdir(), "not a regular file"),
        (lambda p: os.symlink("/dev/zero", p), "not a regular file"),
        (lambda p: None, "does not exist"),
        (lambda p: _sqlite(p, "CREATE TABLE t (x)"), "no AIProvider rows"),
    ],
    ids=["text", "garbage-after-header", "fifo", "folder", "device-link", "missing", "no-tables"],
)
def test_hostile_databases_are_one_line_errors(
    make: Any, message: str, cli: Any, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    make(db)
    proc = cli("import", "django", "--database", f"sqlite:///{db}", "-o", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("url", ["postgres://u@h/db", "sqlite:", "sqlite://relative", "mysql:///x"])
def test_unsupported_database_urls_are_usage_errors(url: str, cli: Any, tmp_path: Path) -> None:
    proc = cli("import", "django", "--database", url, "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "sqlite:///PATH" in proc.stderr


def test_file_and_database_together_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text("[]")
    proc = cli("import", "django", str(tmp_path / "d.json"), "--database", "sqlite:///x.db")
    assert proc.returncode == 2 and "one of them" in proc.stderr


def test_a_slow_database_hits_the_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = _sqlite(
        tmp_path / "db.sqlite3",
        "CREATE TABLE ai_aiprovider (id integer PRIMARY KEY, name text)",
        "INSERT INTO ai_aiprovider (name) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1"
        " FROM n WHERE i < 20000) SELECT 'p' || i FROM n",
    )
    monkeypatch.setattr(django_source, "DEADLINE", -1.0)
    with pytest.raises(RegctlError, match="took too long"):
        django_source.read_database(f"sqlite:///{db}")


def test_a_database_over_the_size_cap_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = _sqlite(tmp_path / "db.sqlite3", "CREATE TABLE ai_aiprovider (id integer PRIMARY KEY)")
    monkeypatch.setattr(django_source, "MAX_SOURCE_BYTES", 1024)
    with pytest.raises(RegctlError, match="over the 1 KiB limit"):
        django_source.read_database(f"sqlite:///{db}")


def test_odd_table_names_are_quoted_and_control_characters_escaped(
    cli: Any, tmp_path: Path
) -> None:
    db = _sqlite(
        tmp_path / "db.sqlite3",
        'CREATE TABLE "we""ird_aiprovider" (id integer PRIMARY KEY, name text, base_url text,'
        " is_active bool)",
        """INSERT INTO "we""ird_aiprovider" VALUES (1, 'openai', '', 1)""",
        "CREATE VIEW evil_aimodel AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n)"
        " SELECT i AS id FROM n",
        'CREATE TABLE "we""ird_prompttemplate" (id integer PRIMARY KEY, slug text, user_prompt'
        " text)",
        """INSERT INTO "we""ird_prompttemplate" VALUES (1, 'x', 'hi')""",
        """INSERT INTO "we""ird_prompttemplate" VALUES (2, 'e' || char(27) || '[31m' ||"""
        " char(8238), 'hi')",
    )
    proc = cli("import", "django", "--database", f"sqlite:///{db}", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr  # the view is never read (it would not end)
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    assert 'we"ird.prompttemplate:2: imported -> template e-31m' in proc.stdout


def test_hostile_dumps_are_one_line_errors(cli: Any, tmp_path: Path) -> None:
    for name, text in {"deep.json": "[" * 100_000 + "]" * 100_000, "obj.json": "{}",
                       "bad.json": "[{,]", "none.json": "[]"}.items():  # fmt: skip
        path = tmp_path / name
        path.write_text(text)
        proc = cli("import", "django", str(path), "-o", str(tmp_path / "out"))
        assert proc.returncode == 1, (name, proc.stderr)
        assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr, name
        assert len(proc.stderr.strip().splitlines()) == 1, name
    fifo = tmp_path / "dump.json"
    os.mkfifo(fifo)
    proc = cli("import", "django", str(fifo), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1 and "not a regular file" in proc.stderr


def test_odd_rows_are_reported_not_fatal(cli: Any, tmp_path: Path) -> None:
    rows = [
        1,
        "x",
        None,
        {"model": 5},
        {"model": "ai.aiprovider", "pk": [1], "fields": {"name": "listpk"}},
        {"model": "ai.aiprovider", "pk": {"a": 1}, "fields": {"name": "dictpk"}},
        {"model": "ai.aiprovider", "pk": 1, "fields": "not a mapping"},
        {"model": "ai.aiprovider", "pk": 2, "fields": {"name": "openai"}},
        {"model": "ai.aimodel", "pk": 3, "fields": {"provider": {"x": 1}, "name": "m"}},
        {"model": "ai.userapikey", "pk": 4, "fields": {"provider": [[2]], "user": {"u": 1}}},
        {"model": "auth.user", "pk": 5, "fields": {"groups": 7, "user_permissions": "x"}},
    ]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(rows))
    report = tmp_path / "report.json"
    proc = cli("import", "django", str(dump), "-o", str(tmp_path / "out"), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    got = {r["row"]: r["status"] for r in json.loads(report.read_text())["rows"]}
    assert got["ai.aiprovider:2"] == "imported"
    assert [got[f"[{i}]"] for i in range(7)] == ["dropped"] * 7
    assert got["ai.aimodel:3"] == "dropped" and got["ai.userapikey:4"] == "dropped"


def test_fields_outside_the_seed_schemas_are_reported_lost(cli: Any, tmp_path: Path) -> None:
    """A deployment whose tables grew a field: the import says so; --strict refuses it."""
    rows = [
        {"model": "ai.aiprovider", "pk": 1, "fields": {"name": "openai", "region": "eu-west"}},
        {"model": "ai.aimodel", "pk": 2,
         "fields": {"provider": 1, "name": "gpt-4o", "capabilities": ["chat"], "is_active": True,
                    "tier": "gold", "notes": "", "\u202eevil\x1b[2J": 1}},
        {"model": "ai.prompttemplate", "pk": 3,
         "fields": {"name": "t", "slug": "t", "user_prompt": "{text}", "ai_model": 2,
                    "owner": 7, "archived_at": None}},
    ]  # fmt: skip
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(rows))
    report = tmp_path / "report.json"
    args = ["import", "django", str(dump), "-o", str(tmp_path / "out"), "--report", str(report)]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    losses = {
        (e["path"], e["detail"])
        for e in json.loads(report.read_text())["losses"]
        if e["reason"] == "unknown-field"
    }
    assert {(p, d.split(" ")[0]) for p, d in losses} == {
        ("ai.aiprovider:1", "'region'"),
        ("ai.aimodel:2", "'tier'"),
        ("ai.aimodel:2", "'\\u202eevil\\x1b[2J'"),
        ("ai.prompttemplate:3", "'owner'"),
    }  # empty values ("notes", "archived_at") lose nothing
    line = "ai.aimodel:2: unknown-field ('tier' is not a field of either seed schema)"
    assert line in proc.stdout
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    proc = cli(*args, "--strict", "--force")
    assert proc.returncode == 1 and proc.stderr.startswith("error: --strict: ")
