"""Find the I/O in regctl's source by walking its syntax trees (no import, no execution).

A module "does I/O" when it imports the bounded I/O layer's readers and writers
(:data:`LAYER`), a network or TLS module of the standard library or a third-party
client (:data:`NETWORK`), or calls a raw read (:data:`RAW_CALLS`: ``open()``,
``.read()``, ``Path.read_text()``...). The meta-test holds every such module to an
entry in the surface table; ``test_io_boundary.py`` holds raw reads outside the layer
to an allow-list.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent.parent / "src"
PACKAGE = SRC / "regctl"

#: Modules of the bounded I/O layer that read or write (urls, jsondoc, gz are pure).
LAYER = frozenset(
    {
        "regctl.io.safeio",
        "regctl.io.safelines",
        "regctl.io.safehttp",
        "regctl.io.stream",
        "regctl.io.fsutil",
        "regctl.io.tls",
    }
)
#: Top-level modules that talk to the network (or wrap sockets) by themselves.
NETWORK = frozenset(
    {"urllib", "http", "httpx", "socket", "ssl", "boto3", "botocore", "requests", "urllib3"}
)
#: Call names that read (or open for reading) without the layer.
RAW_CALLS = frozenset(
    {
        "open",
        "fdopen",
        "urlopen",
        "read",
        "read1",
        "readinto",
        "readline",
        "readlines",
        "read_text",
        "read_bytes",
    }
)


@dataclass(frozen=True)
class RawCall:
    """One raw read: where (module, enclosing function) and what (the call's name)."""

    module: str
    function: str
    call: str
    line: int
    receiver: str


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def trees() -> dict[str, ast.Module]:
    """Module name -> syntax tree, for every module of the package."""
    return {
        module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def imports(tree: ast.Module) -> set[str]:
    """Every module a tree imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def _receiver(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        try:
            return ast.unparse(func.value)
        except Exception:  # pragma: no cover - unparse handles every expression
            return "?"
    return ""


def raw_calls(module: str, tree: ast.Module) -> list[RawCall]:
    """The raw reads in one module, each with its enclosing function's qualified name
    and the expression it is called on (the callers decide which receivers are safe)."""
    found: list[RawCall] = []

    def visit(node: ast.AST, where: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, [*where, child.name])
                continue
            if isinstance(child, ast.Call):
                func = child.func
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                receiver = _receiver(func)
                if name in RAW_CALLS:
                    found.append(
                        RawCall(module, ".".join(where) or "<module>", name, child.lineno, receiver)
                    )
            visit(child, where)

    visit(tree, [])
    return found


def io_modules() -> dict[str, list[str]]:
    """Module -> why it counts as doing I/O (the layer, a network module, a raw read)."""
    out: dict[str, list[str]] = {}
    for module, tree in trees().items():
        why = sorted(f"imports {m}" for m in imports(tree) & LAYER)
        why += sorted(
            f"imports {m}" for m in imports(tree) if m.split(".")[0] in NETWORK and m != "urllib"
        )
        why += sorted({f"calls {c.call}()" for c in raw_calls(module, tree)})
        if why:
            out[module] = why
    return out
