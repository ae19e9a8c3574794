"""Class 3: symlinks cannot leave the registry, and a file target's symlink is never replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from regctl.deploy.targets import Deployed, TargetError
from regctl.deploy.targets.file import FileTarget
from regctl.pipeline.source import load_registry


def test_file_symlink_leaving_the_registry_is_a_problem(registry: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "credentials.yaml"
    secret.parent.mkdir()
    secret.write_text("aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    (registry / "providers" / "leak.yaml").symlink_to(secret)
    result = load_registry(registry)
    problems = [p for p in result.problems if p.location.file.endswith("leak.yaml")]
    assert len(problems) == 1 and problems[0].rule == "yaml-syntax"
    assert "points outside the registry" in problems[0].message
    assert str(secret) in problems[0].message
    assert not any(d.file.endswith("leak.yaml") for d in result.documents)
    # The operator can opt in; then the file is read like any other.
    allowed = load_registry(registry, allow_outside=True)
    assert any(d.file.endswith("leak.yaml") for d in allowed.documents)


def test_opt_in_through_the_environment(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "shared.yaml"
    other.write_text((registry / "providers" / "beta.yaml").read_text())
    (registry / "providers" / "beta.yaml").unlink()
    (registry / "providers" / "beta.yaml").symlink_to(other)
    assert load_registry(registry).problems
    monkeypatch.setenv("REGCTL_ALLOW_OUTSIDE_SYMLINKS", "1")
    assert load_registry(registry).problems == []


def test_symlink_inside_the_registry_is_fine(registry: Path) -> None:
    (registry / "shared").mkdir()
    (registry / "providers" / "beta.yaml").rename(registry / "shared" / "beta.real")
    (registry / "providers" / "beta.yaml").symlink_to(registry / "shared" / "beta.real")
    assert load_registry(registry).problems == []


def test_symlinked_folder_leaving_the_registry_is_a_problem(registry: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (registry / "linked").symlink_to(tmp_path / "elsewhere")
    problems = load_registry(registry).problems
    assert any("symlinked folder points outside" in p.message for p in problems)


def test_symlink_loop_is_a_problem_not_a_hang(registry: Path) -> None:
    (registry / "providers" / "a.yaml").symlink_to(registry / "providers" / "b.yaml")
    (registry / "providers" / "b.yaml").symlink_to(registry / "providers" / "a.yaml")
    problems = load_registry(registry).problems
    assert {p.location.file.rsplit("/", 1)[-1] for p in problems} >= {"a.yaml", "b.yaml"}


def test_file_target_symlink_is_refused_and_left_alone(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "manifest.lock.json"
    link.symlink_to(real)
    target = FileTarget(link)
    with pytest.raises(TargetError, match="symlink"):
        target.read()
    with pytest.raises(TargetError, match="symlink"):
        target.write('{"x": 1}', "sha256:" + "a" * 64, expected=Deployed(b"{}"))
    assert link.is_symlink() and real.read_text() == "{}"


def test_file_target_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "manifest.lock.json"
    link.symlink_to(tmp_path / "home" / ".bashrc")
    with pytest.raises(TargetError, match="symlink"):
        FileTarget(link).write("{}", "sha256:" + "a" * 64, expected=Deployed(None))
    assert link.is_symlink() and not (tmp_path / "home").exists()
