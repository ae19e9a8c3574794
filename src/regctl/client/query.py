"""The text spellings of a question (docs/resolution.md, "Inputs"), parsed one way for
the CLI (``--need``, ``--param``) and for ``regctl serve`` (``?need=``, ``?param=``,
``?fallback=``). Anything malformed is :class:`~regctl.client.errors.BadQuery`
(``bad_request``). Standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from regctl.base.i18n import msg
from regctl.client.errors import BadQuery

# The number of a need: plain decimal (the grammar /openapi.json declares).
_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


def parse_flag(text: str | None, name: str) -> bool | None:
    """``true``/``false`` exactly (``None`` when absent): a boolean has one spelling."""
    if text is None:
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    raise BadQuery(msg("{name} must be true or false, got '{value}'", name=name, value=text))


def parse_needs(pairs: Iterable[str]) -> dict[str, Any]:
    """``context=150000``, ``tools``, ``vision=false`` -> a ``needs`` mapping."""
    needs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not name:
            raise BadQuery(msg("a need is NAME or NAME=VALUE, got '{value}'", value=pair))
        if not sep or text == "true":
            needs[name] = True
        elif text == "false":
            needs[name] = False
        elif _NUMBER.fullmatch(text):
            needs[name] = int(text) if text.isdigit() else float(text)
        else:
            raise BadQuery(
                msg(
                    "need '{need}' takes a number or true/false, got '{value}'",
                    need=name,
                    value=text,
                )
            )
    return needs


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``max_tokens=100``, ``stop=["x"]``: each value is JSON when it parses as JSON (a
    number, true, false, null, a list, a quoted string), else the text itself."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not _NAME.fullmatch(name.strip()):
            raise BadQuery(msg("a parameter is NAME=VALUE, got '{value}'", value=pair))
        try:
            value = json.loads(text, parse_constant=_text)
        except ValueError:
            value = text
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            value = text  # 1e400 is no parameter value
        params[name.strip()] = value
    return params


def _text(name: str) -> Any:
    raise ValueError(name)  # NaN/Infinity stay text
