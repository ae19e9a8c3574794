"""The root group loads a command's module only when that command runs, and its table of
command names (regctl.cli.app.COMMANDS) matches what the modules define."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import regctl.cli as cli_pkg
from regctl.cli.app import COMMANDS

CLI_DIR = Path(cli_pkg.__file__).parent


def _defined_on_main() -> dict[str, str]:
    """Command name -> module, read from the source: every ``@main.command``/``@main.group``."""
    found: dict[str, str] = {}
    for path in sorted(CLI_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                call = deco if isinstance(deco, ast.Call) else None
                func = call.func if call else deco
                if not (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "main"
                    and func.attr in ("command", "group")
                ):
                    continue
                args = [
                    *(call.args[:1] if call else []),
                    *(kw.value for kw in (call.keywords if call else []) if kw.arg == "name"),
                ]
                if not args:
                    found[node.name.replace("_", "-")] = path.stem
                elif isinstance(args[0], ast.Constant):
                    found[str(args[0].value)] = path.stem
                # a name computed at run time (a loop over commands) is checked by loading
    return found


def test_table_names_every_command_with_its_module() -> None:
    from regctl.cli.app import main

    loaded = main.load_all()
    assert set(loaded) == set(COMMANDS)
    for name, cmd in loaded.items():
        assert cmd.callback is not None
        assert cmd.callback.__module__ == f"regctl.cli.{COMMANDS[name]}", name
    # a command written with @main.command but missing from the table would never be listed
    for name, module in _defined_on_main().items():
        assert COMMANDS.get(name) == module, f"{name} ({module}) is not in COMMANDS"


_PROBE = """
import json, sys
from regctl.cli import main
try:
    main(sys.argv[1:], standalone_mode=True)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("regctl", "pydantic",
      "deepdiff", "jinja2", "ruamel", "yaml", "httpx")))), file=sys.stderr)
"""


def _modules_after(*argv: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=60
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_version_imports_no_command_module_and_no_heavy_library() -> None:
    mods = _modules_after("--version")
    assert not any(
        m.startswith("regctl.cli.") and m != "regctl.cli.app"
        for m in mods - {"regctl.cli.click_messages"}
    ), sorted(mods)
    for heavy in ("pydantic", "deepdiff", "jinja2", "ruamel", "yaml", "httpx"):
        assert heavy not in mods, heavy


def test_one_command_loads_only_its_module() -> None:
    mods = _modules_after("rules", "--help")
    cli_mods = {m for m in mods if m.startswith("regctl.cli.")}
    assert "regctl.cli.spine" in cli_mods
    assert not cli_mods & {"regctl.cli.deploy", "regctl.cli.interop", "regctl.cli.serve_cmd"}
    assert "deepdiff" not in mods
