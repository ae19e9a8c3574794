"""`regctl.client.render`: sandboxed, strict rendering of a manifest template entry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from regctl.client.render import RenderError, render

ENTRY = {
    "id": "summarize",
    "capability": "chat",
    "variables": {"text": {"required": True}, "audience": {"required": False, "default": "ops"}},
    "system": "Write for {{ audience }}.",
    "user": "Summarize:\n{{ text | trim }}\n",
    "params": {"temperature": 0.2},
}


def test_render_returns_messages_model_and_params() -> None:
    out = render(ENTRY, "openai/gpt-4o", {"text": "  hello  "})
    assert out.messages == [
        {"role": "system", "content": "Write for ops."},
        {"role": "user", "content": "Summarize:\nhello"},
    ]
    assert out.model == "openai/gpt-4o" and out.params == {"temperature": 0.2}
    assert render(ENTRY, None, {"text": "x", "audience": "execs"}).messages[0]["content"] == (
        "Write for execs."
    )


def test_missing_and_unknown_variables_are_errors() -> None:
    with pytest.raises(RenderError, match="needs variable 'text'"):
        render(ENTRY, None, {})
    with pytest.raises(RenderError, match="has no variable 'txt'"):
        render(ENTRY, None, {"text": "x", "txt": "y"})


def test_strict_undefined_and_sandbox() -> None:
    undeclared = {"id": "t", "variables": {}, "user": "{{ nope }}"}
    with pytest.raises(RenderError, match="UndefinedError"):
        render(undeclared, None, {})
    escape = {"id": "t", "variables": {"x": {}}, "user": "{{ x.__class__.__mro__ }}"}
    with pytest.raises(RenderError, match="SecurityError"):
        render(escape, None, {"x": "s"})
    arithmetic = {"id": "t", "variables": {"n": {}}, "user": "{{ 1 / n }}"}
    with pytest.raises(RenderError, match="ZeroDivisionError"):
        render(arithmetic, None, {"n": 0})


def test_importing_the_renderer_does_not_import_jinja2() -> None:
    code = "import sys, regctl.client.render; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
