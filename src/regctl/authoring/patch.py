"""Minimal text edits of one key of a YAML mapping, located through ruamel.yaml positions.

Re-emitting a whole document with ruamel.yaml keeps comments but may still change
indentation or spacing elsewhere; a user reviewing ``git diff`` after ``regctl activate``
should see only the ``active`` lines. So the edit is done on the text: replace the value's
token on its line (keeping a trailing comment) or insert one line after ``capabilities``.
Forms this cannot handle safely (flow mappings, multi-line flow lists) raise
:class:`CannotPatch` and the caller falls back to a round-trip dump.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

ActiveValue = bool | list[str]


class CannotPatch(Exception):
    """The node's layout is not one the text editor handles; dump the document instead."""


@dataclass(frozen=True)
class Splice:
    """Replace lines ``start``..``end`` (0-based, end exclusive) with ``new``."""

    start: int
    end: int
    new: list[str]


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


def _token_end(line: str, col: int) -> int:
    """End column of the scalar or one-line flow list that starts at ``col``."""
    ch = line[col : col + 1]
    if ch == "[":
        end = line.find("]", col)
        if end < 0:
            raise CannotPatch("multi-line flow list")
        return end + 1
    if ch in ("'", '"'):
        end = line.find(ch, col + 1)
        if end < 0:
            raise CannotPatch("multi-line quoted scalar")
        return end + 1
    m = re.compile(r"[^\s#]*").match(line, col)
    assert m is not None  # the pattern matches the empty string
    return m.end()


def replace_value(lines: list[str], node: CommentedMap, key: str, value: ActiveValue) -> Splice:
    """The splice that sets ``node[key]`` (an existing key) to ``value`` on the text."""
    if node.fa.flow_style():
        raise CannotPatch("flow mapping")
    key_line, key_col = node.lc.key(key)
    old = node[key]
    text = format_value(value)
    if isinstance(old, CommentedSeq) and not old.fa.flow_style() and len(old) > 0:
        # Block list: rewrite the key line as a flow list and drop the item lines.
        line = lines[key_line]
        colon = line.find(":", key_col)
        if colon < 0:
            raise CannotPatch("key without colon on its line")
        last = old.lc.item(len(old) - 1)[0]
        for i in range(old.lc.item(0)[0], last + 1):
            if not lines[i].lstrip().startswith(("-", "#")) and lines[i].strip():
                raise CannotPatch("block list items are not one per line")
        body = line.rstrip("\r\n")
        rest = body[colon + 1 :].strip()
        comment = f"  {rest}" if rest.startswith("#") else ""
        new = body[: colon + 1] + " " + text + comment + _newline(lines)
        return Splice(key_line, last + 1, [new])
    val_line, val_col = node.lc.value(key)
    line = lines[val_line]
    end = _token_end(line, val_col)
    return Splice(val_line, val_line + 1, [line[:val_col] + text + line[end:]])


def _end_line_of(node: CommentedMap, key: str, lines: list[str]) -> int:
    """The last line that ``node[key]``'s value occupies (for one-line scalars: the key's)."""
    value = node[key]
    key_line = int(node.lc.key(key)[0])
    if isinstance(value, CommentedSeq) and len(value) > 0:
        if not value.fa.flow_style():
            return int(value.lc.item(len(value) - 1)[0])
        for i in range(int(node.lc.value(key)[0]), len(lines)):
            if "]" in lines[i]:
                return i
        raise CannotPatch("unterminated flow list")
    if isinstance(value, CommentedMap) or (isinstance(value, str) and "\n" in value):
        raise CannotPatch("multi-line value before the insertion point")
    return key_line


def insert_key(
    lines: list[str], node: CommentedMap, key: str, value: ActiveValue, after: tuple[str, ...]
) -> Splice:
    """The splice that adds ``key: value`` after the first present key of ``after``.

    Without any of those keys the new line goes before the mapping's first key.
    """
    if node.fa.flow_style() or len(node) == 0:
        raise CannotPatch("flow or empty mapping")
    keys = list(node.keys())
    col = int(node.lc.key(keys[0])[1])
    new = " " * col + f"{key}: {format_value(value)}" + _newline(lines)
    for anchor in after:
        if anchor in node:
            at = _end_line_of(node, anchor, lines) + 1
            return Splice(at, at, [new])
    first_line = int(node.lc.key(keys[0])[0])
    prefix = lines[first_line][:col]
    if prefix.strip():
        # ``- id: x``: the first key shares its line with the list dash; go after it instead.
        at = _end_line_of(node, keys[0], lines) + 1
        return Splice(at, at, [new])
    return Splice(first_line, first_line, [new])


def apply_splices(text: str, splices: list[Splice]) -> str:
    """Apply non-overlapping splices to ``text``, last first so earlier positions stay valid."""
    lines = text.splitlines(keepends=True)
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


def set_in_tree(node: CommentedMap, key: str, value: ActiveValue, after: tuple[str, ...]) -> None:
    """Set ``node[key]`` on the ruamel tree (fallback path), placed after ``after`` if new."""
    new: Any = value
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        new = seq
    if key in node:
        node[key] = new
        return
    pos = 0
    keys = list(node.keys())
    for anchor in after:
        if anchor in node:
            pos = keys.index(anchor) + 1
            break
    node.insert(pos, key, new)
