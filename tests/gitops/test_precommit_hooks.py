"""The shipped pre-commit hooks, run by the real pre-commit in a temp git repository.

The configuration is the one ``regctl init`` writes and docs/deploy.md shows, unchanged but
for ``repo:``: a git repository holding a copy of this checkout, tagged as RELEASING.md
tags a release (``vX.Y.Z``), stands in for regctl's repository. pre-commit clones it at
that ``rev:`` and, for ``language: python``, builds a venv and pip-installs it, exactly as
shipped.
Offline: pip's own settings (``PIP_NO_INDEX``, ``PIP_NO_BUILD_ISOLATION``) and
``PYTHONPATH`` at this environment's site folders give that venv the dependencies and the
build backend without downloading them; regctl itself is the wheel pre-commit installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import ROOT
from tests.gitops.action_install import action_checkout, site_paths

from regctl.authoring.init import HOOKS_REPO, init_project, pre_commit_config, release_tag

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """regctl's repository as pre-commit sees it: path, release tag, a shared PRE_COMMIT_HOME."""
    base = tmp_path_factory.mktemp("hooks")
    repo = action_checkout(base / "regctl")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "release", cwd=repo)
    tag = release_tag()
    _git("tag", "-a", tag, "-m", f"regctl {tag}", cwd=repo)  # RELEASING.md, step 5
    return repo, tag, base / "pre-commit-home"


@pytest.fixture
def repo(tmp_path: Path, hook_source: tuple[Path, str, Path]) -> tuple[Path, dict[str, str]]:
    hooks_repo, tag, home = hook_source
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(
        NO_COLOR="1",
        PRE_COMMIT_HOME=str(home),
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONPATH=os.pathsep.join(site_paths()),
    )
    root = tmp_path / "repo"
    root.mkdir()
    _git("init", "-q", cwd=root)
    init_project(root)
    config = root / ".pre-commit-config.yaml"
    written = config.read_text()
    assert written == pre_commit_config() and f"rev: {tag}\n" in written
    config.write_text(written.replace(HOOKS_REPO, str(hooks_repo)))
    _git("add", ".", cwd=root)
    return root, env


def _run(root: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--files", *files],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_documented_configuration_is_what_init_writes() -> None:
    deploy_md = (ROOT / "docs" / "deploy.md").read_text()
    assert "```yaml\n" + pre_commit_config() + "```" in deploy_md
    config = yaml.safe_load(pre_commit_config())
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["regctl-fmt", "regctl-validate"]
    assert {h["id"] for h in HOOKS} == {"regctl-fmt", "regctl-validate"}


def test_hook_ids_and_entries() -> None:
    assert {h["id"] for h in HOOKS} == {"regctl-validate", "regctl-fmt"}
    assert all(h["language"] == "python" and h["files"] == r"\.ya?ml$" for h in HOOKS)


def test_clean_registry_passes_and_workflow_yaml_is_left_alone(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    workflow = root / ".github" / "workflows" / "registry.yml"
    before = workflow.read_text()
    done = _run(root, env, "registry/providers/openai.yaml", str(workflow.relative_to(root)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "regctl validate" in done.stdout and "Passed" in done.stdout
    assert workflow.read_text() == before
    # The hooks ran the regctl pre-commit installed into its own venv from the repository.
    pythons = list(Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/python"))
    assert len(pythons) == 1, pythons
    origin = subprocess.run(
        [str(pythons[0]), "-c", "import regctl; print(regctl.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(pythons[0].parents[1]) in origin, origin


def test_a_file_breaks_the_whole_registry_and_fmt_fixes_layout(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    # Disabling every provider breaks the defaults elsewhere: the whole registry is checked.
    prov = root / "registry" / "providers" / "xai.yaml"
    prov.write_text(prov.read_text().replace("id: xai", "id: xai-renamed", 1))
    done = _run(root, env, "registry/providers/xai.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "registry/" in done.stdout and "error [" in done.stdout, done.stdout
    _git("checkout", "--", "registry/providers/xai.yaml", cwd=root)

    # A layout change: the fmt hook rewrites the file and fails once, then passes.
    prov.write_text(
        prov.read_text().replace("apiVersion: regctl/v1\n", "apiVersion:   regctl/v1\n")
    )
    first = _run(root, env, "registry/providers/xai.yaml")
    assert first.returncode == 1 and "formatted" in first.stdout, first.stdout
    _git("add", ".", cwd=root)
    again = _run(root, env, "registry/providers/xai.yaml")
    assert again.returncode == 0, again.stdout + again.stderr
