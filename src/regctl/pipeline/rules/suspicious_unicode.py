"""No bidirectional controls or invisible characters in ids, URLs and names.

A right-to-left override (U+202E) makes ``https://api.openai.com/v1`` preceded by
``https://evil.example/`` *look* like another URL in a diff, a plan or a terminal
("Trojan Source"); a zero-width space makes ``gpt-4o`` and ``gpt-4o\\u200b`` two models
that look the same. Reported, each with the character's code point and name and the
exact ``file:line:col`` where it is written:

- bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) anywhere but
  in free text;
- invisible characters (zero-width space, word joiner, invisible operators, BOM, soft
  hyphen, Hangul fillers, tag characters, ...) anywhere but in free text;
- in ids, URLs, references and every mapping key, also the zero-width joiners U+200C
  and U+200D and variation selectors. In names (``display_name``, ``name``, label
  values) the joiners stay allowed between two non-ASCII characters and the
  selectors after one, where Persian, Indic scripts and emoji need them
  (``جی‌پی‌تی``, ``❤️``), and nowhere else.

Free text is not checked: ``description``, a template's ``system`` and ``user`` text,
and a variable's ``default``. Whatever the registry holds, every output of regctl
(problem reporters, plan text and Markdown) writes these characters as visible
escapes such as ``\\u202e``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.base.textsafe import BIDI, INVISIBLE, JOINERS, escape_control
from regctl.messages.problems import Location, Problem
from regctl.pipeline.positions import PosDict, PosList, ascii_source, source_line
from regctl.pipeline.registry import View

ID = "suspicious-unicode"
PER_ENVIRONMENT = False

_BIDI = re.compile(f"[{BIDI}]")
_SUSPICIOUS = re.compile(f"[{BIDI}{INVISIBLE}{JOINERS}]")
_JOINER = re.compile(f"[{JOINERS}]")
_ZERO_WIDTH_JOINERS = "\u200c\u200d"  # the others are selectors: they modify what precedes

#: Keys whose values are prose (not checked at all).
FREE_TEXT = frozenset({"description", "system", "user"})
#: Keys whose values are names people read (joiners allowed inside words).
NAMES = frozenset({"display_name", "name"})

# What the walk is inside of.
_STRICT_KIND, _NAME_KIND, _LABELS, _VARIABLES, _VARIABLE = range(5)


def check(view: View) -> Iterator[Problem]:
    for doc in view.documents:
        if not ascii_source(doc.raw):  # every suspicious character is non-ASCII
            yield from _walk(doc.raw)


def find(text: str, *, name: bool = False) -> int | None:
    """The index of the first suspicious character of ``text``, or ``None``.

    ``name``: a name people read, where joiners between non-ASCII characters are fine.
    """
    if text.isascii():  # nearly every string: nothing to look for
        return None
    for m in _SUSPICIOUS.finditer(text):
        i = m.start()
        if name and _JOINER.match(text, i) and _inside_word(text, i):
            continue
        return i
    return None


def _inside_word(text: str, i: int) -> bool:
    def letter(j: int) -> bool:
        return 0 <= j < len(text) and not text[j].isascii() and not text[j].isspace()

    return letter(i - 1) and (text[i] not in _ZERO_WIDTH_JOINERS or letter(i + 1))


def _walk(root: PosDict) -> Iterator[Problem]:
    # Iterative, like plaintext-secret's walk; positions are looked up only for a hit.
    stack: list[tuple[PosDict | PosList, int]] = [(root, _STRICT_KIND)]
    while stack:
        node, kind = stack.pop()
        if isinstance(node, PosDict):
            for k, v in node.items():
                i = find(k)
                if i is not None:
                    yield _problem(node, k, i, k, key=True)
                child = _child_kind(kind, k)
                if child is None:
                    continue
                if isinstance(v, str):
                    i = find(v, name=child == _NAME_KIND)
                    if i is not None:
                        yield _problem(node, k, i, v)
                elif isinstance(v, (PosDict, PosList)):
                    stack.append((v, child))
        else:
            for n, v in enumerate(node):
                if isinstance(v, str):
                    i = find(v, name=kind == _NAME_KIND)
                    if i is not None:
                        yield _problem(node, n, i, v)
                elif isinstance(v, (PosDict, PosList)):
                    stack.append((v, kind))


def _child_kind(kind: int, key: str) -> int | None:
    """How the value under ``key`` is checked (``None``: free text, not at all)."""
    if kind in (_NAME_KIND, _LABELS):
        return _NAME_KIND  # a display_name map's entries, a label's value
    if kind == _VARIABLES:
        return _VARIABLE
    if kind == _VARIABLE and key == "default":
        return None
    if key in FREE_TEXT:
        return None
    if key in NAMES:
        return _NAME_KIND
    if key == "labels":
        return _LABELS
    if key == "variables":
        return _VARIABLES
    return _STRICT_KIND


def _problem(
    parent: PosDict | PosList, at: str | int, index: int, text: str, *, key: bool = False
) -> Problem:
    ch = text[index]
    code = f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}"
    why = (
        msg("bidi controls change the order in which text is shown")
        if _BIDI.match(ch)
        else msg("it shows as nothing, so two different values look the same")
    )
    shown = _visible(text if len(text) <= 80 else text[:79] + "…")
    if key:
        where = parent.key_pos[str(at)] if isinstance(parent, PosDict) else parent.pos
        what = msg("mapping key '{key}'", key=shown)
    elif isinstance(parent, PosDict):
        where = parent.val_pos[str(at)]
        what = msg("value of '{key}' ('{value}')", key=_visible(str(at)), value=shown)
    else:
        where = parent.item_pos[int(at)]
        what = msg("list item '{value}'", value=shown)
    text_msg = msg(
        "{what} holds {code} at character {n}: {why}; remove it",
        what=what,
        code=code,
        n=index + 1,
        why=why,
    )
    return Problem(ID, text_msg, _exact(parent, where, ch, text, index))


def _visible(text: str) -> str:
    """``text`` with every character this rule looks for written as an escape."""
    text = escape_control(text)
    return _JOINER.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if not text.isascii() else text


def _exact(parent: PosDict | PosList, where: Location, ch: str, text: str, index: int) -> Location:
    """The column of the character itself when it is written literally on the value's line."""
    line = source_line(parent, where.line)
    if line is None:
        return where
    # The value starts at where.col (after a quote, if quoted); count from there.
    start = where.col - 1
    offset = 1 if line[start : start + 1] in ("'", '"') else 0
    candidate = start + offset + index
    if line[candidate : candidate + 1] == ch:
        return Location(where.file, where.line, candidate + 1)
    found = line.find(ch, start)
    return Location(where.file, where.line, found + 1) if found >= 0 else where
