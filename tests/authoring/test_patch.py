"""Text-level edits of the ``active`` key: only the intended lines change."""

from __future__ import annotations

import pytest
from ruamel.yaml.comments import CommentedMap

from regctl.authoring.patch import CannotPatch, apply_splices, insert_key, replace_value
from regctl.authoring.rtindex import round_trip_yaml

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


def _models(text: str) -> list[CommentedMap]:
    doc = round_trip_yaml().load(text)
    return list(doc["models"])


def test_replace_scalar_keeps_trailing_comment() -> None:
    a = _models(SOURCE)[0]
    lines = SOURCE.splitlines(keepends=True)
    out = apply_splices(SOURCE, [replace_value(lines, a, "active", ["vision"])])
    assert out.splitlines()[4] == "    active: [vision]  # keep me"
    pairs = zip(SOURCE.splitlines(), out.splitlines(), strict=True)
    changed = [i for i, (x, y) in enumerate(pairs) if x != y]
    assert changed == [4]


def test_replace_block_list_collapses_to_one_line() -> None:
    b = _models(SOURCE)[1]
    lines = SOURCE.splitlines(keepends=True)
    out = apply_splices(SOURCE, [replace_value(lines, b, "active", False)])
    assert "    active: false\n  - id: c\n" in out
    assert out.count("\n") == SOURCE.count("\n") - 1


def test_insert_after_capabilities_with_the_mapping_indent() -> None:
    c = _models(SOURCE)[2]
    lines = SOURCE.splitlines(keepends=True)
    out = apply_splices(SOURCE, [insert_key(lines, c, "active", True, ("capabilities", "id"))])
    assert out.splitlines()[13:16] == [
        "    capabilities: [chat]",
        "    active: true",
        "    labels: {team: x}",
    ]


def test_insert_after_block_capabilities() -> None:
    text = "m:\n  id: x\n  capabilities:\n    - chat\n  # note\n  pricing: {}\n"
    node = round_trip_yaml().load(text)["m"]
    lines = text.splitlines(keepends=True)
    out = apply_splices(text, [insert_key(lines, node, "active", ["chat"], ("capabilities",))])
    assert (
        out
        == "m:\n  id: x\n  capabilities:\n    - chat\n  active: [chat]\n  # note\n  pricing: {}\n"
    )


def test_several_splices_in_one_file() -> None:
    a, b, c = _models(SOURCE)
    lines = SOURCE.splitlines(keepends=True)
    out = apply_splices(
        SOURCE,
        [
            replace_value(lines, a, "active", False),
            replace_value(lines, b, "active", ["vision"]),
            insert_key(lines, c, "active", True, ("capabilities",)),
        ],
    )
    reloaded = _models(out)
    assert [m.get("active") for m in reloaded] == [False, ["vision"], True]
    assert "# model a" in out and "# header comment" in out and '"b"' in out


def test_flow_mapping_is_refused_so_the_caller_dumps() -> None:
    node = round_trip_yaml().load("x: {id: a, active: true}\n")["x"]
    with pytest.raises(CannotPatch):
        replace_value(["x: {id: a, active: true}\n"], node, "active", False)
