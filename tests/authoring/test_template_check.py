"""The pure template checks behind the ``template`` rule."""

from __future__ import annotations

from typing import Any

from regctl.messages.problems import Location, Severity
from regctl.pipeline.template_check import check_template

# Where each field's value starts in an imaginary file.
POS = {("user",): 10, ("system",): 7, ("model",): 4, ("capability",): 4, ("variables", "x"): 6}


def line_of(path: tuple[str, ...]) -> Location:
    return Location("prompts/t.yaml", POS.get(path, 1), 7)


def _check(t: dict[str, Any], **kw: Any) -> list[tuple[str, str, int, str]]:
    return [
        (p.rule, p.severity.value, p.location.line, p.message)
        for p in check_template({"id": "t", **t}, "prompts/t.yaml", line_of, **kw)
    ]


def test_syntax_error_points_at_the_line_inside_a_block_scalar() -> None:
    got = _check({"user": "Hello\n{{ name | }}\nbye\n", "variables": {"name": {}}})
    assert got[0][:3] == ("template", "error", 10 + 2)
    assert "syntax error" in got[0][3]


def test_undeclared_variable_is_an_error_at_its_first_use() -> None:
    got = _check({"system": "Be nice.", "user": "a\nb {{ who }}\n"})
    assert got == [
        (
            "template",
            "error",
            12,
            "template 't' user uses variable 'who' that is not declared under 'variables'",
        )
    ]


def test_unused_declared_variable_is_a_warning() -> None:
    got = _check({"user": "{{ x }} {{ y }}", "variables": {"x": {}, "y": {}, "z": {}}})
    assert [(r, s) for r, s, _, m in got if "'z'" in m] == [("template", Severity.WARNING.value)]
    assert len(got) == 1


def test_loop_variables_and_builtins_are_not_undeclared() -> None:
    text = "{% for i in range(3) %}{{ i }} {{ loop.index }}{% endfor %}{% set k = 1 %}{{ k }}"
    assert _check({"user": text}) == []


def test_unknown_model_and_capability_are_unknown_reference() -> None:
    got = _check({"model": "openai/nope", "user": "hi"}, known_models={"openai/gpt-4o"})
    assert [(r, line) for r, _, line, _ in got] == [("unknown-reference", 4)]
    got = _check({"capability": "telepathy", "user": "hi"}, known_capabilities={"chat"})
    assert [r for r, *_ in got] == ["unknown-reference"]
    assert _check({"model": "openai/gpt-4o", "user": "hi"}, known_models={"openai/gpt-4o"}) == []


def test_validating_a_template_bomb_allocates_nothing() -> None:
    # Jinja2 folds constant expressions while it looks for undeclared variables; with a
    # plain sandbox this line built a 1 GB string just to be validated.
    import tracemalloc

    tracemalloc.start()
    try:
        found = _check({"capability": "chat", "user": "{{ 'a' * 10**9 }}{{ 'b' * 10**9 }}"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, peak
    assert not [f for f in found if f[1] == "error"], found
