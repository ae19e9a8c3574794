"""Checks of one PromptTemplate document, independent of how the registry was loaded.

The ``template`` rule wraps :func:`check_template`; it is a pure function so that it can
be tested on plain dicts. Jinja2 is imported here only, when templates are validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from regctl.base.i18n import msg
from regctl.messages.problems import Location, Problem, Severity

RULE = "template"
REFERENCE_RULE = "unknown-reference"
TEXT_FIELDS = ("system", "user")

LineOf = Callable[[tuple[str, ...]], Location]


def _sandbox() -> Any:
    # The limited sandbox, not a plain one, even though nothing is rendered here: finding
    # undeclared variables runs Jinja2's code generator, whose constant folding would
    # evaluate `{{ 'a' * 10**9 }}` at parse time. Operators the sandbox intercepts are
    # never folded, so validating a hostile template costs nothing.
    from regctl.client._sandbox import LimitedSandbox

    return LimitedSandbox()


def _content_line(text: str, value: Location, lineno: int) -> Location:
    """File location of line ``lineno`` (1-based) of a template text stored at ``value``.

    A text with a line break is written as a block scalar (``user: |``) whose content starts
    on the line after the indicator; a one-line text starts where the value does.
    """
    if "\n" in text:
        return Location(value.file, value.line + lineno, 1)
    return Location(value.file, value.line, value.col)


def _first_use(env: Any, source: str, name: str) -> int:
    """1-based line of the first use of variable ``name`` in ``source``."""
    for lineno, token, value in env.lex(source):
        if token == "name" and value == name:
            return int(lineno)
    return 1


def check_template(
    template: dict[str, Any],
    file: str,
    line_of: LineOf,
    *,
    known_models: Iterable[str] | None = None,
    known_capabilities: Iterable[str] | None = None,
) -> list[Problem]:
    """Problems of one template: syntax, undeclared and unused variables, references.

    ``line_of(path)`` gives the location of the value at ``path`` (``("user",)``,
    ``("variables", "name")``); ``known_models`` are ``provider/model`` refs and
    ``known_capabilities`` the capability vocabulary (``None`` skips that check).
    """
    from jinja2 import TemplateSyntaxError, meta

    env = _sandbox()
    tid = str(template.get("id", "?"))
    problems: list[Problem] = []
    raw_vars = template.get("variables")
    declared = [str(k) for k in raw_vars] if isinstance(raw_vars, dict) else []
    used: set[str] = set()
    broken = False
    for field in TEXT_FIELDS:
        text = template.get(field)
        if not isinstance(text, str):
            continue
        try:
            ast = env.parse(text)
        except RecursionError:
            problems.append(
                Problem(
                    RULE,
                    msg("template '{id}' {field}: nested too deeply to parse", id=tid, field=field),
                    line_of((field,)),
                )
            )
            broken = True
            continue
        except TemplateSyntaxError as exc:
            problems.append(
                Problem(
                    RULE,
                    msg(
                        "template '{id}' {field}: Jinja2 syntax error: {detail}",
                        id=tid,
                        field=field,
                        detail=exc.message or "",
                    ),
                    _content_line(text, line_of((field,)), exc.lineno or 1),
                )
            )
            broken = True
            continue
        names = meta.find_undeclared_variables(ast) - set(env.globals)
        used |= names
        for name in sorted(names):
            if name not in declared:
                problems.append(
                    Problem(
                        RULE,
                        msg(
                            "template '{id}' {field} uses variable '{name}' that is not "
                            "declared under 'variables'",
                            id=tid,
                            field=field,
                            name=name,
                        ),
                        _content_line(text, line_of((field,)), _first_use(env, text, name)),
                    )
                )
    for name in declared:
        # After a syntax error the variables of that text are unknown: do not guess.
        if name not in used and not broken:
            problems.append(
                Problem(
                    RULE,
                    msg(
                        "template '{id}' declares variable '{name}' but never uses it",
                        id=tid,
                        name=name,
                    ),
                    line_of(("variables", name)),
                    Severity.WARNING,
                )
            )
    model = template.get("model")
    if isinstance(model, str) and known_models is not None and model not in set(known_models):
        close = difflib.get_close_matches(model, sorted(known_models), n=1)
        hint = _mean(close[0]) if close else msg(" (expected 'provider/model')")
        problems.append(
            Problem(
                REFERENCE_RULE,
                msg(
                    "template '{id}' names model '{model}', which is not in the registry{hint}",
                    id=tid,
                    model=model,
                    hint=hint,
                ),
                line_of(("model",)),
            )
        )
    cap = template.get("capability")
    if (
        isinstance(cap, str)
        and known_capabilities is not None
        and cap not in set(known_capabilities)
    ):
        close = difflib.get_close_matches(cap, sorted(known_capabilities), n=1)
        hint = _mean(close[0]) if close else ""
        problems.append(
            Problem(
                REFERENCE_RULE,
                msg(
                    "template '{id}' names capability '{cap}', which is not in the vocabulary"
                    "{hint}",
                    id=tid,
                    cap=cap,
                    hint=hint,
                ),
                line_of(("capability",)),
            )
        )
    return problems


def _mean(match: str) -> str:
    return msg(" (did you mean '{match}'?)", match=match)
