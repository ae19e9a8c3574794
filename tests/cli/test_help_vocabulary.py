"""Every command's --help speaks one vocabulary (walks the whole command tree, so
commands added later are checked too)."""

from __future__ import annotations

import re

import click
import pytest

from regctl.cli import main
from regctl.cli.docgen import commands

#: Commands that read a registry (when present): each must take --registry.
REGISTRY_READERS = {
    "validate", "compile", "ls models", "ls providers", "show", "cost-compare",
    "templates render", "templates test", "activate", "deactivate", "fmt", "plan",
    "apply", "rollback", "export litellm",
}  # fmt: skip


COMMANDS = dict(commands(main))


def _help(path: str, cmd: click.Command) -> str:
    parent = click.Context(main, info_name="regctl")
    ctx = click.Context(cmd, info_name=path, parent=parent)
    return cmd.get_help(ctx)


def _options(cmd: click.Command) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and not p.hidden]


def test_the_walk_finds_the_commands() -> None:
    assert {"validate", "plan", "cost", "ls models", "import modelsdev"} <= set(COMMANDS)
    assert set(COMMANDS) >= REGISTRY_READERS


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_has_an_example_and_exit_codes(path: str) -> None:
    text = _help(path, COMMANDS[path])
    assert re.search(r"^\s*Examples?:\s*$", text, re.M), f"regctl {path} --help: no example"
    example = re.search(r"Examples?:\s*\n\s+(regctl .+)", text)
    assert example, f"regctl {path} --help: the example does not run regctl"
    assert path.split()[0] in example.group(1), f"regctl {path}: the example is of another command"
    codes = re.search(r"^\s*Exit codes?:\s*\n((?:\s+\d+\s+.+\n?)+)", text, re.M)
    assert codes, f"regctl {path} --help: no exit codes"
    listed = [int(m) for m in re.findall(r"^\s+(\d+)\s", codes.group(1), re.M)]
    assert 0 in listed, f"regctl {path}: exit code 0 not described"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_flag_vocabulary(path: str) -> None:
    cmd = COMMANDS[path]
    for opt in _options(cmd):
        flags = set(opt.opts) | set(opt.secondary_opts)
        if flags & {"-o", "--output"}:
            assert isinstance(opt.type, click.Path), f"regctl {path}: -o/--output must be a file"
            assert {"-o", "--output"} <= flags, f"regctl {path}: spell it -o/--output"
        if "--format" in flags:
            assert isinstance(opt.type, click.Choice), f"regctl {path}: --format takes a choice"
        assert not flags & {"--json", "--out"}, f"regctl {path}: {flags} retired, use --format/-o"
    names = {f for opt in _options(cmd) for f in opt.opts}
    if path in REGISTRY_READERS or ("--env" in names and "--manifest" not in names):
        assert "--registry" in names, f"regctl {path}: reads a registry but has no --registry"
    args = [p for p in cmd.params if isinstance(p, click.Argument)]
    if any(a.name == "registry_pos" for a in args):
        assert len(args) == 1, f"regctl {path}: positional REGISTRY only without other arguments"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_no_python_none_or_spec_in_help(path: str) -> None:
    text = _help(path, COMMANDS[path])
    assert "None" not in text and "SPEC" not in text, text
