"""`regctl init`: writes the scaffold, refuses to overwrite."""

from __future__ import annotations

from pathlib import Path

from regctl.authoring.init import init_project, scaffold_files


def test_init_writes_the_scaffold(tmp_path: Path, run_cli) -> None:
    r = run_cli("init", str(tmp_path / "x"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rels = {rel for rel, _ in scaffold_files()}
    assert {
        "registry/registry.yaml",
        "registry/providers/openai.yaml",
        "registry/providers/anthropic.yaml",
        "registry/providers/xai.yaml",
        "registry/environments/dev.yaml",
        "registry/environments/prod.yaml",
        "registry/prompts/summarize.yaml",
    } <= rels
    for rel, text in scaffold_files():
        assert (tmp_path / "x" / rel).read_text() == text
    assert "env:OPENAI_API_KEY" in (tmp_path / "x/registry/providers/openai.yaml").read_text()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, run_cli) -> None:
    mine = tmp_path / "registry" / "providers" / "openai.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my own file\n")
    r = run_cli("init", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 1
    assert "refusing to overwrite" in r.stderr and "openai.yaml" in r.stderr
    assert "Traceback" not in r.stderr
    assert mine.read_text() == "# my own file\n"
    assert not (tmp_path / "registry" / "registry.yaml").exists()


def test_every_scaffold_file_is_copied_including_hidden_folders(tmp_path: Path) -> None:
    # The plan/apply feature ships .github/workflows/registry.yml in the scaffold folder.
    source = tmp_path / "scaffold"
    (source / ".github" / "workflows").mkdir(parents=True)
    (source / ".github" / "workflows" / "registry.yml").write_text("on: [pull_request]\n")
    (source / "registry").mkdir()
    (source / "registry" / "registry.yaml").write_text("kind: Registry\n")
    written = init_project(tmp_path / "out", source)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        ".github/workflows/registry.yml",
        ".gitignore",  # appended to, never overwritten (tests/gitops/test_gitops_cli.py)
        ".pre-commit-config.yaml",  # left alone when the project has one
        "registry/registry.yaml",
        "schemas/manifest.schema.json",  # what the files' `$schema=` lines point at
        "schemas/registry.schema.json",
    ]
    assert (tmp_path / "out/.github/workflows/registry.yml").read_text() == "on: [pull_request]\n"


def test_scaffold_files_get_the_usual_file_mode(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    written = init_project(tmp_path)
    assert {p.stat().st_mode & 0o777 for p in written} == {0o666 & ~mask}


def test_shipped_workflow_is_the_repositorys_registry_workflow(tmp_path: Path) -> None:
    """init hands teams the same workflow this repository documents (kept in sync here)."""
    from tests.conftest import ROOT

    from regctl.authoring.init import init_project, release_tag

    init_project(tmp_path)
    shipped = (tmp_path / ".github" / "workflows" / "registry.yml").read_text()
    ours = (ROOT / ".github" / "workflows" / "registry.yml").read_text()
    # Pinned to the release that wrote it, as the pre-commit rev; ours follows main.
    assert shipped.count(f"uses: regctl/regctl@{release_tag()}\n") == 3
    assert "@main" not in shipped
    pinned = f"uses: regctl/regctl@{release_tag()}"
    assert shipped == ours.replace("uses: regctl/regctl@main", pinned)
