"""Every importer writes registry files already in ``fmt``'s canonical form.

``regctl import ... && regctl fmt --check`` must exit 0. ``fmt --check`` first compares
each file with what the shared emitter makes of it (regctl.pipeline.layout); to show that this
is also what the comment-preserving round trip produces, the round trip itself is run
on the written files as well (on a sample of the 136 models.dev files, for time).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import litellm_price_map, modelsdev_corpus

from regctl.authoring.fmt import format_text

REPO = Path(__file__).resolve().parents[2]
DJANGO_DUMP = Path(__file__).parent / "data" / "django_dump.json"


def _assert_fmt_clean(cli, out: Path, every: int = 1) -> None:
    proc = cli("fmt", "--check", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "would reformat" not in proc.stdout
    files = sorted(out.rglob("*.yaml"))
    assert len(files) > 1
    for path in files[::every]:
        text = path.read_text(encoding="utf-8")
        assert format_text(text) == text, f"the round trip would change {path.name}"


def test_django_import_is_fmt_clean(tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    proc = cli("import", "django", str(DJANGO_DUMP), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    _assert_fmt_clean(cli, out)


def test_litellm_import_is_fmt_clean(tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    proc = cli("import", "litellm", str(litellm_price_map()), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    _assert_fmt_clean(cli, out, every=3)


def test_modelsdev_import_is_fmt_clean(tmp_path: Path, cli) -> None:
    out = tmp_path / "reg"
    proc = cli("import", "modelsdev", str(modelsdev_corpus()), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    _assert_fmt_clean(cli, out, every=8)
