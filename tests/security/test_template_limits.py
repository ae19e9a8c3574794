"""Class 7: templates cannot exhaust the machine; failures are RenderError/template problems."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from client_fixtures import base_doc, write_manifest
from security_helpers import assert_clean_failure, capped_cli, capped_python

from regctl.client import ClientError, Registry
from regctl.client.render import RenderError

BOMBS = {
    "repeat": "{{ 'a' * 10**9 }}",
    "repeat-list": "{{ ([1] * 10**8) | length }}",
    "percent-width": "{{ '%999999999d' % 1 }}",
    "format-width": "{{ '{:>999999999}'.format(1) }}",
    "format-filter": "{{ '%999999999s' | format('x') }}",
    "center": "{{ 'x' | center(1000000000) }}",
    "str-method": "{{ 'x'.ljust(1000000000) }}",
    "indent": "{{ 'a\\nb' | indent(1000000000) }}",
    "power": "{{ 10 ** 10 ** 10 }}x{{ 2 ** 100000000 }}",
    "self-recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "doubling": "{% macro f(n) %}{{ f(n-1) ~ f(n-1) if n else 'ab' }}{% endmacro %}{{ f(60) }}",
    "loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "output": "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    "deep-parse": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
}


def _manifest(tmp_path: Path, user: str) -> Path:
    body = base_doc()
    body["templates"] = {
        "t": {"id": "t", "capability": "chat", "user": user, "variables": {}, "params": {}}
    }
    return write_manifest(tmp_path / "m.json", body)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_template_bombs_are_render_errors(tmp_path: Path, name: str) -> None:
    reg = Registry.load(_manifest(tmp_path, BOMBS[name]))
    start = time.monotonic()
    with pytest.raises(RenderError) as info:
        reg.render("t")
    assert isinstance(info.value, ClientError)
    assert time.monotonic() - start < 5
    assert "template 't' user" in str(info.value)


def test_ordinary_templates_still_render(tmp_path: Path) -> None:
    user = "{{ '{:,}'.format(123456789) }} {{ 'x' * 3 }} {% for i in range(3) %}{{ i }}{% endfor %}"
    reg = Registry.load(_manifest(tmp_path, user))
    assert reg.render("t").messages[0]["content"] == "123,456,789 xxx 012"


@pytest.mark.parametrize("name", ["repeat", "format-width", "doubling", "output"])
def test_bombs_in_capped_memory_end_in_under_5s(tmp_path: Path, name: str) -> None:
    path = _manifest(tmp_path, BOMBS[name])
    code = (
        "import sys\nfrom regctl.client import Registry\n"
        "from regctl.client.render import RenderError\n"
        "try:\n    Registry.load(sys.argv[1]).render('t')\n"
        "except RenderError as e:\n    print('refused:', e)\n"
    )
    proc, took = capped_python(code, str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "refused" in proc.stdout and took < 5


def test_cli_templates_render_bomb_is_one_line_error(registry: Path) -> None:
    (registry / "templates.yaml").write_text(
        "apiVersion: regctl/v1\nkind: PromptTemplate\nid: bomb\ncapability: chat\n"
        "user: \"{{ 'a' * 10**9 }}\"\n"
    )
    proc, took = capped_cli(
        "templates", "render", "bomb", "--registry", str(registry), cwd=registry.parent
    )
    assert_clean_failure(proc, 1)
    assert "limit" in proc.stderr and took < 5
