"""Every workflow regctl ships, writes or shows starts from a read-only token.

Without a ``permissions:`` block a job gets the repository's default token, which may
write; a pull request from a fork runs code its author chose. So each workflow says
``permissions: contents: read`` at the top, and only the jobs listed in
:data:`MAY_WRITE` raise a scope to ``write``, each for the reason given there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import ROOT, run_cli

#: (workflow file name, job) -> the write scopes it may hold, and why.
MAY_WRITE: dict[tuple[str, str], dict[str, str]] = {
    ("registry.yml", "apply"): {"contents": "commit a file target's manifest back"},
}
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def _shipped() -> dict[str, str]:
    files = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    files += sorted((ROOT / "src" / "regctl" / "scaffold" / ".github" / "workflows").glob("*.yml"))
    return {str(f.relative_to(ROOT)): f.read_text(encoding="utf-8") for f in files}


def _documented() -> dict[str, str]:
    """Workflows shown in the README and docs, which users copy."""
    found = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for n, block in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8"))):
            doc = yaml.safe_load(block)
            if isinstance(doc, dict) and "jobs" in doc:
                found[f"{page.relative_to(ROOT)}#{n}"] = block
    return found


def _written_by_init(tmp_path: Path) -> dict[str, str]:
    done = run_cli("init", str(tmp_path / "project"))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "project" / ".github" / "workflows"
    return {f"init:{f.name}": f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.yml"))}


def _check(name: str, text: str) -> list[str]:
    doc: dict[Any, Any] = yaml.safe_load(text)
    wrong = []
    if doc.get("permissions") != {"contents": "read"}:
        wrong.append(f"{name}: top-level permissions {doc.get('permissions')!r}")
    base = name.split(":")[-1].rsplit("/", 1)[-1]
    for job_id, job in (doc.get("jobs") or {}).items():
        perms = job.get("permissions", {})
        if not isinstance(perms, dict):  # read-all / write-all
            wrong.append(f"{name}: job {job_id} permissions {perms!r}")
            continue
        allowed = MAY_WRITE.get((base, job_id), {})
        for scope, level in perms.items():
            if level == "write" and scope not in allowed:
                wrong.append(f"{name}: job {job_id} may write {scope}")
    return wrong


def test_every_workflow_starts_read_only(tmp_path: Path) -> None:
    workflows = {**_shipped(), **_documented(), **_written_by_init(tmp_path)}
    assert ".github/workflows/ci.yml" in workflows and "init:registry.yml" in workflows
    assert any(name.startswith("README.md#") for name in workflows)
    wrong = [line for name, text in workflows.items() for line in _check(name, text)]
    assert wrong == []


def test_write_is_kept_to_the_apply_job() -> None:
    doc = yaml.safe_load(_shipped()["src/regctl/scaffold/.github/workflows/registry.yml"])
    assert doc["jobs"]["apply"]["permissions"] == {"contents": "write"}
    assert doc["jobs"]["plan"]["permissions"] == {"contents": "read"}
    assert doc["jobs"]["apply"]["if"].startswith("github.event_name == 'push'")


@pytest.mark.parametrize(
    "bad",
    [
        "on: push\njobs:\n  a: {runs-on: x, steps: []}\n",
        "on: push\npermissions: write-all\njobs:\n  a: {runs-on: x, steps: []}\n",
        "on: push\npermissions: {contents: read}\njobs:\n"
        "  a: {runs-on: x, steps: [], permissions: {contents: write}}\n",
        "on: push\npermissions: {contents: read}\njobs:\n"
        "  a: {runs-on: x, steps: [], permissions: write-all}\n",
    ],
)
def test_the_check_catches_each_kind_of_excess(bad: str) -> None:
    assert _check("bad.yml", bad) != []
