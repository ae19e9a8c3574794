"""Strict JSON from a peer, and shape checks that fail with one clear line.

A store's answer may be JSON of any shape: ``null``, a list where an object belongs,
a number where a string belongs, ``NaN``, an integer of 10,000 digits, nesting 100,000
levels deep. :func:`loads` turns every answer that is not strict JSON into
:class:`BadJson`, and :func:`kind` names what came instead of what was expected, for
the shape checks of each reader (``client._etcd``): messages never quote the value
itself (it may be huge or hold a secret), so code never ends in ``AttributeError``.
Standard library only.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BadJson", "kind", "loads"]


class BadJson(ValueError):
    """JSON that is not strict, or not of the expected shape; ``str()`` is one line."""


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not strict JSON")


def loads(data: bytes, what: str) -> Any:
    """Parse strict JSON (UTF-8, no NaN/Infinity); ``what`` names the document in errors."""
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise BadJson(f"{what} is not UTF-8 text") from None
    except RecursionError:
        raise BadJson(f"{what} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadJson(f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:  # NaN/Infinity, an integer over Python's digit limit
        raise BadJson(f"{what} is not strict JSON ({str(exc).splitlines()[0][:60]})") from None


_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer", bool: "a boolean"}


def kind(value: Any) -> str:
    """A reader's word for a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number"
    return _NAMES.get(type(value), type(value).__name__)
