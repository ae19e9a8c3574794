"""Finding the registry upward from a folder or a file, as git finds its repository."""

from __future__ import annotations

from pathlib import Path

from regctl.base.discover import display_path, find_registry


def _repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "registry" / "providers").mkdir(parents=True)
    (tmp_path / "registry" / "registry.yaml").write_text("apiVersion: regctl/v1\nkind: Registry\n")
    (tmp_path / "registry" / "providers" / "openai.yaml").write_text("id: openai\n")
    (tmp_path / "src" / "app").mkdir(parents=True)
    return tmp_path


def test_from_repo_root_finds_registry_child(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert find_registry(repo) == repo / "registry"


def test_from_a_subfolder_searches_upward(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert find_registry(repo / "src" / "app") == repo / "registry"


def test_from_a_file_inside_the_registry(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    found = find_registry(repo / "registry" / "providers" / "openai.yaml")
    assert found == repo / "registry"


def test_a_folder_with_registry_yaml_is_the_registry(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "registry.yml").write_text("kind: Registry\n")
    assert find_registry(tmp_path / "conf") == tmp_path / "conf"


def test_stops_at_the_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / "registry").mkdir()  # outside the checkout below: must not be found
    inner = tmp_path / "checkout"
    (inner / ".git").mkdir(parents=True)
    assert find_registry(inner) is None


def test_display_path_is_relative_below_cwd(tmp_path: Path) -> None:
    assert display_path(tmp_path / "registry", tmp_path) == Path("registry")
    assert display_path(tmp_path, tmp_path / "a" / "b") == Path("../..")
