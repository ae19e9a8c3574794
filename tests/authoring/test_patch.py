"""Text-level edits of the ``active`` key: only the intended lines change."""

from __future__ import annotations

import pytest
from yaml.nodes import MappingNode

from regctl.authoring.patch import (
    CannotPatch,
    apply_splices,
    insert_key,
    replace_value,
    split_lines,
)
from regctl.pipeline.source import parse_documents

SOURCE = """\
# header comment
models:
  - id: a   # model a
    capabilities: [chat, vision]
    active: true  # keep me
    pricing: {input_per_mtok: 1}
  - id: "b"
    capabilities:
      - chat
      - vision
    active:
      - chat
  - id: c
    capabilities: [chat]
    labels: {team: x}
"""


def _load(text: str) -> dict:
    return parse_documents(text.encode(), "t.yaml")[0].data  # type: ignore[no-any-return]


def _models(text: str) -> list[MappingNode]:
    return [m.node() for m in _load(text)["models"]]


def test_replace_scalar_keeps_trailing_comment() -> None:
    a = _models(SOURCE)[0]
    lines = split_lines(SOURCE)
    out = apply_splices(SOURCE, [replace_value(lines, a, "active", ["vision"])])
    assert out.splitlines()[4] == "    active: [vision]  # keep me"
    pairs = zip(SOURCE.splitlines(), out.splitlines(), strict=True)
    changed = [i for i, (x, y) in enumerate(pairs) if x != y]
    assert changed == [4]


def test_replace_block_list_collapses_to_one_line() -> None:
    b = _models(SOURCE)[1]
    lines = split_lines(SOURCE)
    out = apply_splices(SOURCE, [replace_value(lines, b, "active", False)])
    assert "    active: false\n  - id: c\n" in out
    assert out.count("\n") == SOURCE.count("\n") - 1


def test_insert_after_capabilities_with_the_mapping_indent() -> None:
    c = _models(SOURCE)[2]
    lines = split_lines(SOURCE)
    out = apply_splices(SOURCE, [insert_key(lines, c, "active", True, ("capabilities", "id"))])
    assert out.splitlines()[13:16] == [
        "    capabilities: [chat]",
        "    active: true",
        "    labels: {team: x}",
    ]


def test_insert_after_block_capabilities() -> None:
    text = "m:\n  id: x\n  capabilities:\n    - chat\n  # note\n  pricing: {}\n"
    node = _load(text)["m"].node()
    lines = split_lines(text)
    out = apply_splices(text, [insert_key(lines, node, "active", ["chat"], ("capabilities",))])
    assert (
        out
        == "m:\n  id: x\n  capabilities:\n    - chat\n  active: [chat]\n  # note\n  pricing: {}\n"
    )


def test_several_splices_in_one_file() -> None:
    a, b, c = _models(SOURCE)
    lines = split_lines(SOURCE)
    out = apply_splices(
        SOURCE,
        [
            replace_value(lines, a, "active", False),
            replace_value(lines, b, "active", ["vision"]),
            insert_key(lines, c, "active", True, ("capabilities",)),
        ],
    )
    reloaded = _load(out)["models"]
    assert [m.get("active") for m in reloaded] == [False, ["vision"], True]
    assert "# model a" in out and "# header comment" in out and '"b"' in out


def test_flow_mapping_is_refused_so_the_caller_dumps() -> None:
    node = _load("x: {id: a, active: true}\n")["x"].node()
    with pytest.raises(CannotPatch):
        replace_value(["x: {id: a, active: true}\n"], node, "active", False)


def test_empty_value_gets_a_space_after_the_colon() -> None:
    text = "m:\n  id: x\n  active:   # off for now\n"
    node = _load(text)["m"].node()
    out = apply_splices(text, [replace_value(split_lines(text), node, "active", True)])
    assert out == "m:\n  id: x\n  active: true   # off for now\n"


@pytest.mark.parametrize(
    "text",
    [
        "a: &on true\nm:\n  id: x\n  active: *on\n",  # an alias: the text is the anchor's
        "m:\n  id: x\n  active: &on true\nn:\n  active: *on\n",  # an anchor others use
        "m:\n  id: x\n  active: !!bool true\n",  # a tag
        "m:\n  id: x\n  active: [chat,\n    code]\n",  # a multi-line flow list
        "m:\n  id: x\n  active: |\n    chat\n",  # a block scalar
    ],
)
def test_shared_or_multi_line_values_are_refused(text: str) -> None:
    node = _load(text)["m"].node()
    with pytest.raises(CannotPatch):
        replace_value(split_lines(text), node, "active", False)


@pytest.mark.parametrize("text", ["\ufeffm:\n  active: true\n", "m:\r  active: true\r"])
def test_line_breaks_libyaml_counts_differently_are_refused(text: str) -> None:
    with pytest.raises(CannotPatch):
        split_lines(text)
