"""The usage modules form no import cycle, not even through ``TYPE_CHECKING`` imports.

``resolved`` -> ``usage`` -> ``usage_event`` <- ``usage_jsonl`` / ``usage_otel``: the
event type has a module of its own that every side imports, and nothing imports back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import regctl.client

CLIENT = Path(regctl.client.__file__).parent
USAGE = {"resolved", "usage", "usage_event", "usage_jsonl", "usage_otel"}


def _imports(module: str) -> set[str]:
    """Every client module ``module`` imports: top level, in functions, under TYPE_CHECKING."""
    tree = ast.parse((CLIENT / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("regctl.client."):
                found.add(node.module.removeprefix("regctl.client.").split(".")[0])
            elif node.module == "regctl.client":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("regctl.client."):
                    found.add(alias.name.removeprefix("regctl.client.").split(".")[0])
    return found & {p.stem for p in CLIENT.glob("*.py")}


def _reaches(start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        mod = todo.pop()
        for dep in _imports(mod):
            if dep == goal:
                return True
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return False


def test_no_usage_module_is_on_an_import_cycle() -> None:
    cycles = sorted(m for m in USAGE if _reaches(m, m))
    assert cycles == []


def test_the_event_module_imports_no_other_usage_module() -> None:
    assert _imports("usage_event") & USAGE == set()
    assert "usage_event" in _imports("usage") & _imports("usage_jsonl") & _imports("usage_otel")
