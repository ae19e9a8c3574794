"""`regctl ls models` (the registry) and `regctl models` (a manifest) filter alike.

Both list models; one reads the registry, the other a compiled lock. The same filter
flags (``-p/--provider`` repeatable, ``-c/--capability``, ``--active/--inactive``,
``--sort``, ``--format``) must mean the same on both, and both print the same table, so
a CI script can switch from one to the other: each case runs both commands as processes
on one `regctl init` project and its compiled lock and compares what they print.
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

FILTERS = {
    "-p", "--provider", "-c", "--capability", "--active", "--inactive", "--sort", "--format",
}  # fmt: skip


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


CASES = [
    [],
    ["-c", "chat"],
    ["-c", "chat", "--active"],
    ["-c", "chat", "--inactive"],
    ["--inactive"],
    ["-p", "openai"],
    ["-p", "openai", "-p", "xai", "--active"],
    ["--provider", "anthropic", "--capability", "chat"],
    ["--sort", "price"],
    ["-c", "chat", "--sort", "context"],
    ["--sort", "released", "--inactive"],
]


@pytest.mark.parametrize("args", CASES)
def test_both_list_the_same_models(project: Path, args: list[str]) -> None:
    listed = []
    for command in (["ls", "models"], ["models"]):
        done = run_cli(*command, *args, "--format", "json", cwd=project)
        assert done.returncode == 0, done.stderr
        listed.append([f"{m['provider']}/{m['id']}" for m in json.loads(done.stdout)])
    assert listed[0] == listed[1], args
    assert listed[0] or args[-1] == "--inactive", args  # the cases are not vacuous


@pytest.mark.parametrize("args", CASES)
def test_both_print_the_same_table(project: Path, args: list[str]) -> None:
    tables = [run_cli(*cmd, *args, cwd=project) for cmd in (["ls", "models"], ["models"])]
    assert [t.returncode for t in tables] == [0, 0], [t.stderr for t in tables]
    assert tables[0].stdout == tables[1].stdout, args
    header = tables[0].stdout.splitlines()[0].split()
    assert header[:3] == ["MODEL", "ACTIVE", "CAPABILITIES"] and header[-1] == "NAME"


def test_the_sort_orders(project: Path) -> None:
    """price: cheapest first (unpriced last); context: largest first; released: newest."""
    manifest = json.loads((project / "manifest.lock.json").read_text())["models"]
    for sort, key in (
        ("price", lambda m: (m.get("pricing") or {}).get("input_per_mtok", float("inf"))),
        ("context", lambda m: -(m.get("limits") or {}).get("context_window", 0)),
        ("released", lambda m: "~" if not m.get("released") else _negated(m["released"])),
    ):
        done = run_cli("models", "--sort", sort, "--format", "json", cwd=project)
        assert done.returncode == 0, done.stderr
        order = [f"{m['provider']}/{m['id']}" for m in json.loads(done.stdout)]
        keys = [key(manifest[ref]) for ref in order]
        assert keys == sorted(keys), sort
        assert len(set(keys)) > 1, sort  # the project's models differ in this key


def _negated(day: str) -> str:
    """A string that sorts newest day first."""
    return "".join(chr(ord("9") - int(c)) if c.isdigit() else c for c in day)


def test_nothing_matching_is_an_empty_answer(project: Path) -> None:
    """Exit 0, ``[]`` in JSON, one line on stderr: as ``kubectl get`` with no resources."""
    for command in (["ls", "models"], ["models"]):
        done = run_cli(*command, "-p", "xai", "-c", "embedding", "--format", "json", cwd=project)
        assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stderr
        text = run_cli(*command, "-p", "xai", "-c", "embedding", cwd=project)
        assert (text.returncode, text.stdout) == (0, ""), text.stderr
        assert "no models match" in text.stderr


@pytest.mark.parametrize(
    ("args", "word", "hint"),
    [
        (["-p", "openai", "-p", "opnai"], "opnai", "openai"),
        (["-c", "visoin"], "visoin", "vision"),
    ],
)
def test_an_unknown_name_is_an_error_on_both(
    project: Path, args: list[str], word: str, hint: str
) -> None:
    for command, code in ((["ls", "models"], 1), (["models"], 3)):
        done = run_cli(*command, *args, cwd=project)
        assert done.returncode == code, (command, done.stderr)
        assert f"'{word}' (did you mean '{hint}'?)" in done.stderr
        assert done.stdout == "" and "Traceback" not in done.stderr
