"""`regctl init` writes schemas/ and a `$schema=` line in every file that resolves to it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

from regctl.docs.jsonschemas import render_all

PREFIX = "# yaml-language-server: $schema="


def test_init_writes_schemas_and_lines_that_resolve(tmp_path: Path) -> None:
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for name, text in render_all().items():
        assert (tmp_path / "schemas" / name).read_text() == text
    files = sorted((tmp_path / "registry").rglob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        first = path.read_text().splitlines()[0]
        assert first.startswith(PREFIX), path
        target = (path.parent / first.removeprefix(PREFIX)).resolve()
        assert target == (tmp_path / "schemas" / "registry.schema.json").resolve(), path


def test_init_refuses_to_overwrite_schemas(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "registry.schema.json").write_text("{}")
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 1 and "refusing to overwrite" in proc.stderr
    assert (tmp_path / "schemas" / "registry.schema.json").read_text() == "{}"
