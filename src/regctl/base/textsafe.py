"""Make text from YAML safe to print: no control characters, no workflow commands.

A registry key or value may hold a newline, a carriage return or an ANSI escape.
Printed raw, a newline lets a pull request start a line of its own choosing in a
CI log, and GitHub Actions runs any line that starts with ``::`` as a workflow
command (``::add-mask::``, ``::stop-commands::``, ``::error``); ``\\r`` and ESC
repaint a terminal. Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and kin)
reorder what a reviewer sees ("Trojan Source"), and invisible characters (zero-width
space, word joiner, BOM, ...) make two different strings look the same: both are
written as visible ``\\u202e`` escapes too. The zero-width (non-)joiners are left as
they are, since Persian, Indic scripts and emoji need them (regctl's own Persian
messages are full of U+200C); the ``suspicious-unicode`` rule refuses them in ids and
URLs. Standard library only.
"""

from __future__ import annotations

import re

__all__ = [
    "BIDI",
    "INVISIBLE",
    "JOINERS",
    "escape_control",
    "escape_json",
    "markdown_text",
    "safe_line",
]

#: Bidirectional formatting characters (as a regex class body): embeddings, overrides,
#: isolates, and the implicit marks LRM, RLM and ALM.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Characters that show as nothing and carry no meaning of their own in a name: soft
#: hyphen, combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
#: vowel separator, zero-width space, word joiner and invisible operators, deprecated
#: format characters, BOM, interlinear annotation, musical formatting, tags.
INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u206a-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
#: Invisible, but needed inside words of some scripts: ZWNJ, ZWJ, variation selectors.
JOINERS = "\u200c\u200d\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"

# C0, DEL, C1, the Unicode line/paragraph separators some viewers break lines at, bidi
# controls and invisible characters.
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085{BIDI}{INVISIBLE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What JSON text may hold raw inside strings but a reader should see escaped (JSON
# itself escapes C0; its own newlines and indentation are layout, left alone).
_JSON_HIDDEN = re.compile(f"[\x7f-\x9f\u2028\u2029\u0085{BIDI}{INVISIBLE}]")


def _sub(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_control(text: str) -> str:
    """``text`` with every control, bidi and invisible character written as a visible
    escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(_sub, text) if _CONTROL.search(text) else text


def safe_line(text: str) -> str:
    """:func:`escape_control`, and a line that would start a workflow command is indented."""
    text = escape_control(text)
    return "./" + text if text.lstrip().startswith("::") else text


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with control, bidi and invisible characters as
    ``\\uXXXX`` escapes: the same data for a parser, nothing hidden from a reader.

    Only valid on JSON text, where such characters can only be inside strings.
    """
    return _JSON_HIDDEN.sub(_json_escape, text) if _JSON_HIDDEN.search(text) else text


# CommonMark's backslash escapes: what could start a link, an image, HTML, emphasis,
# a code span, a table cell or a heading when text from a pull request is shown in
# a Markdown job summary or comment.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline text (one line, no markup of its own)."""
    return _MARKDOWN.sub(r"\\\1", escape_control(text))
