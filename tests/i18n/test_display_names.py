"""``display_name`` as a map of languages: schema, manifest, client, show and serve."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, run_cli
from tests.serve.serve_fixtures import Server

from regctl.client import Registry

FA_MODEL = "جی‌پی‌تی ۴o"
FA_PROVIDER = "اوپن‌ای‌آی"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    reg = tmp_path / "registry"
    shutil.copytree(EXAMPLE, reg)
    path = reg / "providers" / "openai.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    display_name: GPT-4o\n",
        f"    display_name:\n      en: GPT-4o\n      fa: {FA_MODEL}\n",
        1,
    )
    text = text.replace(
        "display_name: OpenAI\n", f"display_name: {{en: OpenAI, fa: {FA_PROVIDER}}}\n", 1
    )
    path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_map_validates_and_compiles_to_a_name_plus_display_names(project: Path) -> None:
    assert run_cli("validate", "registry", cwd=project).returncode == 0
    done = run_cli("compile", "registry", "-o", "m.json", cwd=project)
    assert done.returncode == 0, done.stderr
    doc = json.loads((project / "m.json").read_text(encoding="utf-8"))
    model = doc["models"]["openai/gpt-4o"]
    assert model["display_name"] == "GPT-4o"  # one string for every existing reader
    assert model["display_names"] == {"en": "GPT-4o", "fa": FA_MODEL}
    assert "display_names" not in doc["models"]["openai/gpt-4o-mini"]
    assert doc["providers"]["openai"]["display_names"]["fa"] == FA_PROVIDER
    assert run_cli("schema", "--check", cwd=Path(__file__).parents[2]).returncode == 0

    reg = Registry.load(project / "m.json")
    m = reg.model("openai/gpt-4o")
    for locale, expected in [
        ("fa", FA_MODEL),
        ("fa-IR", FA_MODEL),
        ("fa_IR.UTF-8", FA_MODEL),
        ("en-US", "GPT-4o"),
        ("de", "GPT-4o"),
        (None, "GPT-4o"),
    ]:
        assert m.display_name_for(locale) == expected, locale
    assert reg.model("openai/gpt-4o-mini").display_name_for("fa") == "GPT-4o mini"
    assert reg.provider("openai").display_name_for("fa") == FA_PROVIDER


def test_a_bad_language_tag_is_a_schema_problem(project: Path) -> None:
    path = project / "registry" / "providers" / "openai.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      fa: ", "      Farsi!: ", 1))
    done = run_cli("validate", "registry", "--format", "json", cwd=project)
    assert done.returncode == 1
    problems = json.loads(done.stdout)["problems"]
    assert any(p["rule"] == "schema" and "display_name" in p["message"] for p in problems)


def test_show_titles_the_name_in_the_users_language(project: Path) -> None:
    fa = run_cli("--lang", "fa", "show", "openai/gpt-4o", cwd=project)
    assert fa.returncode == 0, fa.stderr
    assert fa.stdout.splitlines()[0] == f"model openai/gpt-4o ({FA_MODEL})"
    en = run_cli("--lang", "en", "show", "openai/gpt-4o", cwd=project)
    assert en.stdout.splitlines()[0] == "model openai/gpt-4o (GPT-4o)"
    js_en = run_cli("--lang", "en", "show", "openai/gpt-4o", "--format", "json", cwd=project)
    js_fa = run_cli("--lang", "fa", "show", "openai/gpt-4o", "--format", "json", cwd=project)
    assert js_en.stdout == js_fa.stdout


def test_ls_models_shows_the_name_in_the_users_language(project: Path) -> None:
    fa = run_cli("--lang", "fa", "ls", "models", "--provider", "openai", cwd=project)
    assert fa.returncode == 0, fa.stderr
    rows = {line.split()[0]: line for line in fa.stdout.splitlines()}
    assert fa.stdout.splitlines()[0].split()[-1] == "NAME"
    assert rows["openai/gpt-4o"].endswith(FA_MODEL)
    assert rows["openai/gpt-4o-mini"].endswith("GPT-4o mini")
    en = run_cli("ls", "models", "--provider", "openai", env={"LANG": "C.UTF-8"}, cwd=project)
    assert {line.split()[0]: line for line in en.stdout.splitlines()}["openai/gpt-4o"].endswith(
        "GPT-4o"
    )


def test_serve_picks_the_name_by_accept_language(project: Path, tmp_path: Path) -> None:
    assert run_cli("compile", "registry", "-o", "m.json", cwd=project).returncode == 0
    srv = Server(str(project / "m.json"), tmp_path)
    try:
        path = "/v1/providers/openai/active"
        fa = srv.get(path, headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"}).json()
        assert fa["model"]["display_name"] == FA_MODEL
        assert fa["model"]["display_names"]["en"] == "GPT-4o"
        assert srv.get(path).json()["model"]["display_name"] == "GPT-4o"
        assert srv.get(path, params={"lang": "fa"}).json()["model"]["display_name"] == FA_MODEL
        listed = srv.get("/v1/providers/openai/models", params={"lang": "fa"}).json()
        assert listed["provider"]["display_name"] == FA_PROVIDER
        names = {m["key"]: m["display_name"] for m in listed["models"]}
        assert names["openai/gpt-4o"] == FA_MODEL and names["openai/gpt-4o-mini"] == "GPT-4o mini"
        resolved = srv.get("/v1/resolve", headers={"Accept-Language": "fa"}).json()["resolved"]
        assert resolved["display_name"] == FA_MODEL
        assert srv.get(path).json()["model"]["display_name"] == "GPT-4o"  # cache keeps both
    finally:
        assert srv.stop() == 0
