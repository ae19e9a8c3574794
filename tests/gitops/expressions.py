"""GitHub expressions for the runner simulation: ``&&``, ``||``, ``==``, ``!=``, ``(…)``,
``format()``, ``true``/``false`` and context paths (``inputs.command``)."""

from __future__ import annotations

import re
from typing import Any

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# -- expressions ---------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||==|!=|,|'[^']*'|[A-Za-z_][\w.\-]*)")


def evaluate(expr: str, ctx: dict[str, Any]) -> Any:
    """A GitHub expression: ``&&``, ``||``, ``==``, ``!=``, ``(…)``, ``format()``, paths."""
    tokens = _TOKEN.findall(expr)
    assert "".join(tokens).replace(" ", "") == expr.replace(" ", ""), f"cannot parse {expr!r}"
    pos = 0

    def peek() -> str:
        return tokens[pos] if pos < len(tokens) else ""

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary() -> Any:
        tok = take()
        if tok == "(":
            value = disjunction()
            assert take() == ")"
            return value
        if tok.startswith("'"):
            return tok[1:-1]
        if tok == "format" and peek() == "(":
            take()
            args = [disjunction()]
            while peek() == ",":
                take()
                args.append(disjunction())
            assert take() == ")"
            text = str(args[0])
            for i, arg in enumerate(args[1:]):
                text = text.replace("{" + str(i) + "}", str(arg))
            return text
        if tok in ("true", "false"):
            return tok == "true"
        node: Any = ctx
        for part in tok.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def comparison() -> Any:
        left = primary()
        while peek() in ("==", "!="):
            op, right = take(), primary()
            left = (str(left) == str(right)) == (op == "==")
        return left

    def conjunction() -> Any:
        value = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            value = value and right
        return value

    def disjunction() -> Any:
        value = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            value = value or right
        return value

    result = disjunction()
    assert pos == len(tokens), f"trailing tokens in {expr!r}"
    return result


def substitute(text: Any, ctx: dict[str, Any]) -> str:
    return EXPR.sub(lambda m: str(evaluate(m.group(1), ctx)), str(text))


def condition(spec: dict[str, Any], ctx: dict[str, Any]) -> bool:
    if "if" not in spec:
        return True
    return bool(evaluate(EXPR.sub(r"\1", str(spec["if"])), ctx))
