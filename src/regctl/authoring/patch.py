"""Minimal text edits of one key of a YAML mapping, located through libyaml's node marks.

Re-emitting a whole document with ruamel.yaml keeps comments but may still change
indentation or spacing elsewhere, and reading a file with ruamel.yaml is 25 times slower
than with libyaml; a user reviewing ``git diff`` after ``regctl activate`` should see only
the ``active`` lines. So the edit is done on the text, at the positions libyaml's composer
recorded (start and end of every key and value, and whether a collection is flow or
block): replace the value on its line (keeping a trailing comment) or insert one line
after ``capabilities``. Forms this cannot handle safely (flow mappings, multi-line
values, anchors, aliases, merge keys, unusual line breaks) raise :class:`CannotPatch` and
the caller falls back to a round-trip dump of that one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ActiveValue = bool | list[str]

_MERGE = "tag:yaml.org,2002:merge"
# Line breaks libyaml counts besides \n and \r\n: with one of them in the file, its line
# numbers would not match a split on "\n".
_ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


class CannotPatch(Exception):
    """The node's layout is not one the text editor handles; dump the document instead."""


@dataclass(frozen=True)
class Splice:
    """Replace lines ``start``..``end`` (0-based, end exclusive) with ``new``."""

    start: int
    end: int
    new: list[str]


def split_lines(text: str) -> list[str]:
    """``text`` as lines with their endings, numbered as libyaml numbers them.

    Raises :class:`CannotPatch` for a byte-order mark or a line break other than \\n or
    \\r\\n (``str.splitlines`` would also split on form feeds and others, libyaml not).
    """
    if text.startswith("\ufeff") or _ODD_BREAK.search(text):
        raise CannotPatch("byte-order mark or unusual line breaks")
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def format_value(value: ActiveValue) -> str:
    """YAML text for an ``active`` value: ``true``, ``false`` or a flow list ``[chat, code]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "[" + ", ".join(value) + "]"


def _newline(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _pairs(node: MappingNode) -> dict[str, tuple[Node, Node]]:
    """Key text -> (key node, value node) of a block mapping written in this place."""
    if type(node) is not MappingNode or node.flow_style:
        raise CannotPatch("flow mapping")
    out: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE or type(key_node) is not ScalarNode:
            # merged keys' text belongs to the anchor's mapping, shared with other models
            raise CannotPatch("mapping with merge keys")
        out[str(key_node.value)] = (key_node, value_node)
    if not out:
        raise CannotPatch("empty mapping")
    return out


def _own_value(lines: list[str], key_node: Node, value_node: Node) -> None:
    """Refuse a value that is an alias, or carries an anchor or tag: its text is shared."""
    if value_node.start_mark.index < key_node.end_mark.index:
        raise CannotPatch("an alias")  # the node was defined earlier in the file
    line = lines[value_node.start_mark.line]
    if line[value_node.start_mark.column : value_node.start_mark.column + 1] in ("&", "*", "!"):
        raise CannotPatch("an anchored or tagged value")


def replace_value(lines: list[str], node: MappingNode, key: str, value: ActiveValue) -> Splice:
    """The splice that sets ``node[key]`` (an existing key) to ``value`` on the text."""
    key_node, old = _pairs(node)[key]
    _own_value(lines, key_node, old)
    text = format_value(value)
    if type(old) is SequenceNode and not old.flow_style and old.value:
        # Block list: rewrite the key line as a flow list and drop the item lines.
        key_line = key_node.start_mark.line
        line = lines[key_line]
        colon = line.find(":", key_node.end_mark.column)
        if colon < 0:
            raise CannotPatch("key without colon on its line")
        items = old.value
        if any(type(i) is not ScalarNode or i.start_mark.line != i.end_mark.line for i in items):
            raise CannotPatch("block list items that are not one-line scalars")
        last = items[-1].end_mark.line
        for i in range(items[0].start_mark.line, last + 1):
            if not lines[i].lstrip().startswith(("-", "#")) and lines[i].strip():
                raise CannotPatch("block list items are not one per line")
        body = line.rstrip("\r\n")
        rest = body[colon + 1 :].strip()
        comment = f"  {rest}" if rest.startswith("#") else ""
        new = body[: colon + 1] + " " + text + comment + _newline(lines)
        return Splice(key_line, last + 1, [new])
    start, end = old.start_mark, old.end_mark
    if type(old) is MappingNode or start.line != end.line:
        raise CannotPatch("multi-line value")
    line = lines[start.line]
    if type(old) is ScalarNode and old.value == "" and not old.style and start.column == end.column:
        # ``active:`` with nothing after it: libyaml marks the empty value right after the colon
        text = " " + text
    return Splice(start.line, start.line + 1, [line[: start.column] + text + line[end.column :]])


def _end_line_of(key_node: Node, value: Node) -> int:
    """The last line that a value occupies (for one-line values: the key's)."""
    if type(value) is SequenceNode and value.value:
        if not value.flow_style:
            last = value.value[-1]
            if type(last) is not ScalarNode:
                raise CannotPatch("block list of collections")
            return int(last.end_mark.line)
        return int(value.end_mark.line)
    if type(value) is MappingNode or value.start_mark.line != value.end_mark.line:
        raise CannotPatch("multi-line value before the insertion point")
    return int(key_node.start_mark.line)


def insert_key(
    lines: list[str], node: MappingNode, key: str, value: ActiveValue, after: tuple[str, ...]
) -> Splice:
    """The splice that adds ``key: value`` after the first present key of ``after``.

    Without any of those keys the new line goes before the mapping's first key.
    """
    pairs = _pairs(node)
    first_key, first_value = next(iter(pairs.values()))
    col = int(first_key.start_mark.column)
    new = " " * col + f"{key}: {format_value(value)}" + _newline(lines)
    for anchor in after:
        if anchor in pairs:
            at = _end_line_of(*pairs[anchor]) + 1
            return Splice(at, at, [new])
    first_line = int(first_key.start_mark.line)
    if lines[first_line][:col].strip():
        # ``- id: x``: the first key shares its line with the list dash; go after it instead.
        at = _end_line_of(first_key, first_value) + 1
        return Splice(at, at, [new])
    return Splice(first_line, first_line, [new])


def apply_splices(text: str, splices: list[Splice]) -> str:
    """Apply non-overlapping splices to ``text``, last first so earlier positions stay valid."""
    lines = split_lines(text)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
        trailing_fixed = True
    else:
        trailing_fixed = False
    for s in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        lines[s.start : s.end] = s.new
    out = "".join(lines)
    if trailing_fixed and out.endswith("\n"):
        out = out[:-1]
    return out
