"""The seeds are the oracle: a real Django project with both seeds' models and selection
logic (tests/interop/django_seed), filled by the seed command and later admin edits, is
dumped (and read straight from its database), imported, compiled, and every question is
put to both. regctl must answer as the Django code does.

The one difference allowed is explained by the import report itself: a template pinned to
a legacy row that lost the single-active choice (``pin-not-active``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_module
from tests.interop import django_oracle as o

from regctl.client import Registry
from regctl.interop import common as c
from regctl.interop.django import FIELDS
from regctl.pipeline.compile import compile_registry

SEEDS = ["seed000", "seed003"]


@pytest.fixture(scope="module", params=SEEDS)
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    require_module("django")
    seed = request.param
    root = tmp_path_factory.mktemp(seed)
    db = root / "db.sqlite3"
    o.build(db, seed, edges=True)
    dump = o.dump(db, seed, root / "dump.json")
    return {"seed": seed, "root": root, "db": db, "dump": dump, "answers": o.answers(db, seed)}


def _import(cli: Any, args: list[str], out: Path) -> dict[str, Any]:
    report = out.parent / f"{out.name}-report.json"
    proc = cli("import", "django", *args, "-o", str(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(report.read_text()))


def _everything(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_regctl_answers_as_the_seed(
    deployment: dict[str, Any], cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = deployment["seed"]
    out = tmp_path / "registry"
    report = _import(cli, [str(deployment["dump"])], out)
    compiled = compile_registry(out)
    errors = [p for p in compiled.problems if p.severity.value == "error"]
    assert not errors, errors
    lock = tmp_path / "lock.json"
    lock.write_text(compiled.text)
    reg = Registry.load(lock)
    ids = report["provider_ids"]
    assert report["providers"] == len(ids)
    # Providers keep the seed's identity: the slug itself (003), the name made an id (000).
    for ident, pid in ids.items():
        assert pid == (ident if seed == "seed003" else c.provider_id(ident))
    keys = o.stored_keys(deployment["dump"], seed)
    # The shared keys go where the references point; the personal ones too.
    by_ident = {
        r["fields"].get("slug") or r["fields"]["name"]: r["pk"]
        for r in json.loads(deployment["dump"].read_text())
        if r["model"] == f"{seed}.aiprovider"
    }
    for pid in reg.providers:
        for ref in reg.provider(pid).credentials:
            monkeypatch.delenv(ref.removeprefix("env:"), raising=False)
    for ident, pk in by_ident.items():
        value = keys["shared"][pk]
        (ref,) = reg.provider(ids[ident]).credentials
        if value:
            monkeypatch.setenv(ref.removeprefix("env:"), value)
    users = {
        r["pk"]: r["fields"]["username"]
        for r in json.loads(deployment["dump"].read_text())
        if r["model"] == "auth.user"
    }
    pid_by_pk = {pk: ids[ident] for ident, pk in by_ident.items()}
    refs: dict[Any, str] = {}
    for entry in report["personal_keys"]:
        refs[(entry["user"], entry["provider"])] = entry["ref"]
    for (user, ppk), value in keys["personal"].items():
        ref = refs.get((users[user], pid_by_pk[ppk]))
        if ref:
            monkeypatch.setenv(ref.removeprefix("env:"), value)
    # The report explains each template whose pin regctl cannot serve as the seed did.
    noted = {e["path"] for e in report["notes"] if e["reason"] == "pin-not-active"}
    explained = {r["target"].removeprefix("template ") for r in report["rows"] if r["row"] in noted}
    differences, seen = [], set()
    for q in deployment["answers"]:
        want, got = o.expected(q, ids), o.regctl_answer(reg, q, ids, refs)
        if want != got:
            if q["kind"] == "template" and q["template"] in explained:
                seen.add(q["template"])
                continue
            differences.append((q, got))
    assert differences == [], json.dumps(differences[:5], indent=1, default=str)
    assert seen == explained == ({"mini-pin"} if seed == "seed000" else set())
    kinds = {q["kind"] for q in deployment["answers"]}
    assert kinds == {"active", "service", "default", "template", "explicit", "key", "render"}
    assert len(deployment["answers"]) > 100


def test_seed_command_data_imports_with_nothing_dropped(cli: Any, tmp_path: Path) -> None:
    require_module("django")
    for seed in SEEDS:
        db = tmp_path / f"{seed}.sqlite3"
        o.build(db, seed, edges=False)
        dump = o.dump(db, seed, tmp_path / f"{seed}.json")
        out = tmp_path / f"{seed}-registry"
        proc = cli(
            "import",
            "django",
            str(dump),
            "-o",
            str(out),
            "--strict",
            "--report",
            str(tmp_path / f"{seed}-report.json"),
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads((tmp_path / f"{seed}-report.json").read_text())
        # Every field of the seed's tables is one the import reads (none goes unnoticed).
        for row in json.loads(dump.read_text()):
            table = row["model"].partition(".")[2]
            if table in FIELDS:
                assert set(row["fields"]) <= FIELDS[table], (row["model"], set(row["fields"]))
        assert report["dropped"] == 0
        assert "dropped" not in report["rows_by_status"]
        assert report["losses"] == [] and report["skipped"] == []
