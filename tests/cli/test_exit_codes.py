"""One exit-code table, applied by every command (regctl.cli.exitcodes, docs/exit-codes.md).

Every command of the CLI, hidden ones too, is run with a bad option, without a registry,
without a manifest (for those that read one) and successfully, and must exit with the
code its table gives and print errors in the one style (``error: ...`` plus a ``hint:``
line for a usage error). The runs are in-process (click's runner over the real root
group, in a real project folder): ~150 runs in a few seconds; ``serve``, which blocks,
runs as a process and is stopped by SIGTERM.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from regctl.authoring.init import init_project
from regctl.cli import exitcodes
from regctl.cli.app import main
from regctl.cli.exitcodes import MANIFEST, NOTHING, REGISTRY, TABLE
from regctl.client import errors as client_errors
from regctl.pipeline.compile import compile_registry, write_lock
from regctl.spend import ledger

HERE = Path(__file__).resolve().parent
DJANGO_DUMP = HERE.parent / "interop" / "data" / "django_dump.json"
MODELSDEV = HERE.parent / "data" / "modelsdev"
LITELLM_MAP = {
    "gpt-4o": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "max_input_tokens": 128000,
    }
}
KEYS = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2", "XAI_API_KEY": "k3"}

#: The arguments that make each command succeed in the project below (also given in the
#: folder without a registry or manifest, so that only what is missing fails).
SUCCESS: dict[str, list[str]] = {
    "activate": ["openai/gpt-4o", "--dry-run"],
    "active": ["openai"],
    "apply": ["--env", "dev", "--auto-approve"],
    "commit-back": ["--env", "prod", "--branch", "main"],  # no manifest there: nothing to do
    "compile": ["--env", "prod"],
    "candidates": ["-c", "chat"],
    "completion": ["bash"],
    "cost": ["openai/gpt-4o", "-I", "1000", "-O", "100"],
    "cost-compare": ["-I", "1000", "-O", "100"],
    "deactivate": ["openai/gpt-4o-mini", "--dry-run"],
    "docs": ["-o", "out-docs"],
    "doctor": [],
    "explain": ["Provider.models"],
    "export": ["--help"],
    "export configmap": ["--env", "prod"],
    "export litellm": ["--env", "prod"],
    "export static": ["build/prod.lock.json", "-o", "out-static"],
    "fmt": ["--check"],
    "hook-fmt": ["registry/providers/openai.yaml"],
    "hook-validate": ["registry/providers/openai.yaml"],
    "import": ["--help"],
    "import django": [str(DJANGO_DUMP), "-o", "out-django"],
    "import litellm": ["prices.json", "-o", "out-litellm"],
    "import modelsdev": [str(MODELSDEV), "-o", "out-modelsdev"],
    "init": ["new-project"],
    "ls": ["--help"],
    "ls models": [],
    "ls providers": [],
    "models": [],
    "plan": ["--env", "prod"],
    "resolve": ["-c", "chat"],
    "rollback": ["--env", "dev", "--list"],
    "rules": [],
    "schema": ["-o", "out-schemas"],
    "serve": ["--port", "0"],
    "show": ["openai"],
    "spend": ["usage.jsonl", "--check"],
    "target-path": ["--env", "dev"],
    "templates": ["--help"],
    "templates render": ["summarize", "--var", "text=hello"],
    "templates test": [],
    "validate": [],
}
GROUPS = {"export", "import", "ls", "templates"}


def all_commands(
    group: click.Group = main, prefix: str = ""
) -> Iterator[tuple[str, click.Command]]:
    """Every command below ``group``, hidden ones too, as ("ls models", command)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        yield prefix + name, cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, f"{prefix}{name} ")


COMMANDS = dict(all_commands())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project as `regctl init` writes it, with a compiled lock and a usage file."""
    root = tmp_path_factory.mktemp("project")
    (root / ".git").mkdir()  # the registry search stops here, like git's
    init_project(root)
    write_lock(compile_registry(root / "registry", env="prod"), root / "build" / "prod.lock.json")
    (root / "usage.jsonl").write_text("")
    (root / "prices.json").write_text(json.dumps(LITELLM_MAP))
    return root


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with neither a registry nor a manifest (inputs of the other commands only)."""
    root = tmp_path_factory.mktemp("empty")
    (root / ".git").mkdir()
    (root / "usage.jsonl").write_text("")
    (root / "prices.json").write_text(json.dumps(LITELLM_MAP))
    return root


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """``regctl ARGS`` in ``cwd``, in-process (the real root group and error boundary)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        full = {"NO_COLOR": "1", "REGCTL_LANG": "en", "REGCTL_MANIFEST": None, **(env or {})}
        runner = CliRunner(env=full)
        return runner.invoke(main, list(args), prog_name="regctl", catch_exceptions=False)
    finally:
        os.chdir(old)


def check_error(result: Result, code: int, *needles: str) -> None:
    """The code of the table and the one error style."""
    out = f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert result.exit_code == code, out
    lines = result.stderr.splitlines()
    errors = [i for i, ln in enumerate(lines) if ln.startswith("error: ")]
    assert errors, out
    if code == 2:
        assert lines[errors[-1] + 1 :][:1] and lines[errors[-1] + 1].startswith("hint: "), out
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr, out
    for needle in needles:
        assert needle in result.stderr, out


def test_the_table_names_every_command_and_nothing_else() -> None:
    assert set(TABLE) == set(COMMANDS)
    assert set(SUCCESS) == set(COMMANDS)
    assert {p for p, c in COMMANDS.items() if isinstance(c, click.Group)} == GROUPS


def test_codes_from_3_up_agree_with_the_libraries() -> None:
    assert client_errors.ResolutionError.exit_code == exitcodes.NOT_FOUND
    assert client_errors.ManifestError.exit_code == exitcodes.UNTRUSTED
    assert client_errors.SecretError.exit_code == exitcodes.SECRET
    assert client_errors.PricingError.exit_code == exitcodes.PRICING
    assert ledger.WARNING == exitcodes.SPEND_WARNING and ledger.EXCEEDED == exitcodes.PROBLEMS
    for path, entry in TABLE.items():
        assert all(code >= 3 for code in entry.extra), path
        assert entry.lines()[2].startswith("usage error"), path


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_ends_with_the_generated_table(path: str) -> None:
    result = run(Path.cwd(), *path.split(), "--help")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    block = text[text.index("Exit codes:") :]
    listed = re.findall(r"^\s+(\d+)\s+(.+)$", block.split("\n\n")[0], re.M)
    assert [(int(c), m) for c, m in listed] == list(TABLE[path].lines().items()), block
    reads = TABLE[path].reads
    usage = TABLE[path].lines()[2]
    assert ("registry" in usage) == (reads == REGISTRY) and ("manifest" in usage) == (
        reads == MANIFEST
    ), path


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_a_bad_option_is_a_usage_error(project: Path, path: str) -> None:
    result = run(project, *path.split(), "--no-such-option")
    check_error(result, 2, "no such option '--no-such-option'", f"regctl {path} --help")


@pytest.mark.parametrize("path", sorted(p for p, c in TABLE.items() if c.reads == REGISTRY))
def test_no_registry_is_a_usage_error(empty: Path, path: str) -> None:
    result = run(empty, *path.split(), *SUCCESS[path])
    if path in GROUPS:
        assert result.exit_code == 0  # --help
        return
    check_error(result, 2, "no registry found", "regctl init")


@pytest.mark.parametrize("path", sorted(p for p, c in TABLE.items() if c.reads == MANIFEST))
def test_no_manifest_is_a_usage_error(empty: Path, path: str) -> None:
    if path == "serve":
        proc = subprocess.run(
            [sys.executable, "-m", "regctl", "serve", "--port", "0"],
            cwd=empty,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "REGCTL_MANIFEST": ""},
        )
        assert proc.returncode == 2 and proc.stderr.startswith("error: no manifest found")
        assert proc.stderr.splitlines()[1].startswith("hint: "), proc.stderr
        return
    # export static takes its manifest as an argument: the one named is not there
    said = "manifest build/prod.lock.json not found" if path == "export static" else None
    check_error(
        run(empty, *path.split(), *SUCCESS[path]), 2, said or "no manifest found", "--manifest"
    )


def test_commands_that_read_nothing_need_neither(empty: Path) -> None:
    for path, entry in sorted(TABLE.items()):
        if entry.reads != NOTHING or path in GROUPS or path in ("hook-fmt", "hook-validate"):
            continue
        result = run(empty, *path.split(), *SUCCESS[path])
        assert result.exit_code == 0, (path, result.stderr)


@pytest.mark.parametrize("path", sorted(set(COMMANDS) - {"serve"}))
def test_success(project: Path, path: str) -> None:
    result = run(project, *path.split(), *SUCCESS[path], env=KEYS)
    assert result.exit_code == 0, (path, result.stdout, result.stderr)
    assert "error:" not in result.stderr, result.stderr


def test_serve_stops_with_0_on_sigterm(project: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "regctl", "serve", *SUCCESS["serve"], "--no-access-log"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        seen = ""
        while "startup complete" not in seen.lower():  # it logs once it listens
            left = deadline - time.monotonic()
            ready, _, _ = select.select([proc.stderr], [], [], max(left, 0))
            assert ready and proc.poll() is None, f"serve did not start: {seen}"
            seen = proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_detailed_exitcode_is_terraforms(project: Path, tmp_path: Path) -> None:
    assert run(project, "plan", "--env", "prod", "--detailed-exitcode").exit_code == 2  # changes
    assert run(project, "plan", "--env", "prod", "--detailed-exitcode", "--bogus").exit_code == 1
    assert run(tmp_path, "plan", "--detailed-exitcode").exit_code == 1  # no registry: an error


def test_no_hidden_alias_or_command_is_ever_suggested(project: Path) -> None:
    for path, cmd in COMMANDS.items():
        hidden = [o for p in cmd.params if getattr(p, "hidden", False) for o in p.opts]
        for flag in hidden:
            typo = flag[:-1] if len(flag) > 3 else flag + "x"
            result = run(project, *path.split(), typo)
            assert f"'{flag}'" not in result.stderr, (path, result.stderr)
    hidden_commands = [p for p, c in COMMANDS.items() if c.hidden]
    assert {"target-path", "hook-validate", "hook-fmt"} <= set(hidden_commands)
    for name in hidden_commands:
        result = run(project, name[:-1])
        check_error(result, 2, "no such command")
        assert f"'{name}'" not in result.stderr, result.stderr


#: Every command with --check, and the arguments that make the check pass in `project`.
CHECKS = {
    "compile": ["--env", "prod", "-o", "build/prod.lock.json", "--check"],
    "docs": ["-o", "out-docs-check", "--check"],
    "fmt": ["--check"],
    "schema": ["-o", "out-schemas-check", "--check"],
    "spend": ["usage.jsonl", "--check"],
}


def test_every_check_is_listed() -> None:
    with_check = {
        path
        for path, cmd in COMMANDS.items()
        if any("--check" in getattr(p, "opts", ()) for p in cmd.params)
    }
    assert with_check == set(CHECKS)


@pytest.mark.parametrize("path", sorted(CHECKS))
def test_every_check_says_one_line_on_success(project: Path, path: str) -> None:
    if path in ("docs", "schema"):  # write the files first, then check them
        assert run(project, path, *CHECKS[path][:2]).exit_code == 0
    result = run(project, *path.split(), *CHECKS[path])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "error" not in lines[0], result.stderr
