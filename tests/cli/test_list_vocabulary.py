"""`regctl ls models` (the registry) and `regctl models` (a manifest) filter alike.

Both list models; one reads the registry, the other a compiled lock. The same filter
flags (``-p/--provider`` repeatable, ``-c/--capability``, ``--active/--inactive``,
``--format``) must mean the same on both, so a CI script can switch from one to the
other: each case runs both commands as processes on one `regctl init` project and its
compiled lock and compares the models they list.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from tests.conftest import run_cli

from regctl.authoring.init import init_project
from regctl.cli import main
from regctl.cli.docgen import commands
from regctl.pipeline.compile import compile_registry, write_lock

FILTERS = {"-p", "--provider", "-c", "--capability", "--active", "--inactive", "--format"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / ".git").mkdir()
    init_project(root)
    write_lock(compile_registry(root / "registry"), root / "manifest.lock.json")
    return root


def _flags(cmd: click.Command) -> dict[str, tuple[bool, bool]]:
    """Each filter flag of ``cmd``: (repeatable, a flag without a value)."""
    out = {}
    for p in cmd.params:
        if isinstance(p, click.Option):
            for flag in (*p.opts, *p.secondary_opts):
                if flag in FILTERS:
                    out[flag] = (p.multiple, p.is_flag)
    return out


def test_the_same_filter_flags() -> None:
    found = dict(commands(main))
    ls_models, models = _flags(found["ls models"]), _flags(found["models"])
    assert set(ls_models) == FILTERS
    assert ls_models == models


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-c", "chat"],
        ["-c", "chat", "--active"],
        ["-c", "chat", "--inactive"],
        ["--inactive"],
        ["-p", "openai"],
        ["-p", "openai", "-p", "xai", "--active"],
        ["--provider", "anthropic", "--capability", "chat"],
    ],
)
def test_both_list_the_same_models(project: Path, args: list[str]) -> None:
    listed = []
    for command in (["ls", "models"], ["models"]):
        done = run_cli(*command, *args, "--format", "json", cwd=project)
        assert done.returncode == 0, done.stderr
        listed.append([f"{m['provider']}/{m['id']}" for m in json.loads(done.stdout)])
    assert listed[0] == listed[1], args
    assert listed[0] or args[-1] == "--inactive", args  # the cases are not vacuous


def test_an_unknown_provider(project: Path) -> None:
    done = run_cli("models", "-p", "openai", "-p", "opnai", cwd=project)
    assert done.returncode != 0 and "opnai" in done.stderr and "Traceback" not in done.stderr
