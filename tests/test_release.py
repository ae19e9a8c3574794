"""The release process of RELEASING.md: one version in two places, a CHANGELOG section per
release, and the tag users pin (``vX.Y.Z``) is the one ``regctl init`` writes."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT

import regctl
from regctl.authoring.init import pre_commit_config, release_tag


def test_one_version_in_pyproject_the_package_the_js_reader_and_the_catalogues() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'^version = "([^"]+)"$', pyproject, re.M)
    assert match is not None and match.group(1) == regctl.__version__
    package = json.loads((ROOT / "clients" / "js" / "package.json").read_text())
    assert package["version"] == regctl.__version__
    catalogues = sorted((ROOT / "src" / "regctl" / "locale").glob("*/LC_MESSAGES/regctl.po"))
    assert catalogues
    for po in catalogues:
        assert f'"Project-Id-Version: regctl {regctl.__version__}\\n"' in po.read_text(), po


def test_changelog_has_unreleased_on_top_and_a_section_per_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert sections[0] == "Unreleased"
    assert regctl.__version__ in sections[1:]  # the version in the code has been released
    dated = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert dated == sections[1:]


def test_the_tag_init_writes_is_the_release_tag() -> None:
    assert release_tag() == f"v{regctl.__version__}"
    assert f"    rev: {release_tag()}\n" in pre_commit_config()
    releasing = (ROOT / "RELEASING.md").read_text()
    for step in ("pyproject.toml", "__version__", "## [Unreleased]", "git tag -a vX.Y.Z"):
        assert step in releasing, step


def test_the_docs_pin_the_release_users_can_fetch() -> None:
    """Every ``uses: regctl/regctl@vX.Y.Z`` and pre-commit ``rev: vX.Y.Z`` in the README and
    docs/ names this release: a tag that has the hooks and the action's commands."""
    pins = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        pins += [(page.name, t) for t in re.findall(r"regctl/regctl@(v[0-9][^\s`]*)", text)]
        pins += [(page.name, t) for t in re.findall(r"^\s*rev: (v[0-9]\S*)$", text, re.M)]
    assert {name for name, _ in pins} >= {"README.md", "deploy.md"}
    assert {tag for _, tag in pins} == {release_tag()}, pins
