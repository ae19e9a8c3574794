"""Make text from YAML safe to print: no control characters, no workflow commands.

A registry key or value may hold a newline, a carriage return or an ANSI escape.
Printed raw, a newline lets a pull request start a line of its own choosing in a
CI log, and GitHub Actions runs any line that starts with ``::`` as a workflow
command (``::add-mask::``, ``::stop-commands::``, ``::error``); ``\\r`` and ESC
repaint a terminal. Standard library only.
"""

from __future__ import annotations

import re

__all__ = ["escape_control", "safe_line"]

# C0, DEL, C1, and the Unicode line/paragraph separators some viewers break lines at.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _sub(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_sub, text) if _CONTROL.search(text) else text


def safe_line(text: str) -> str:
    """:func:`escape_control`, and a line that would start a workflow command is indented."""
    text = escape_control(text)
    return "./" + text if text.lstrip().startswith("::") else text
