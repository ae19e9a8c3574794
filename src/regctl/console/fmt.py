"""How numbers look on the pages (filters of the templates' environment)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from regctl.base.redact import redact
from regctl.base.textsafe import escape_json


def usd(value: Any) -> str:
    """A price per 1M tokens: ``2.50``, ``0.075``, ``0.0003``; ``-`` without one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "-"
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = f"{d:,.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def money(value: Any) -> str:
    """An amount spent: two decimals (``1,234.50``)."""
    if isinstance(value, str):
        value = Decimal(value)
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return "-"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


def tokens(value: Any) -> str:
    """A token count for people: ``128K``, ``1M``, ``2.1M``, ``8,192``; ``-`` without one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "-"
    n = int(value)
    for size, unit in ((1_000_000, "M"), (1_000, "K")):
        if n >= size and n % (size // 10) == 0:
            shown = f"{n / size:.1f}".removesuffix(".0")
            return shown + unit
    return f"{n:,}"


def percent(value: Any) -> str:
    """``99.5%``; ``-`` without a value."""
    if value is None:
        return "-"
    return f"{float(value) * 100:.1f}%"


def millis(value: Any) -> str:
    """``840 ms``; ``-`` without a value."""
    if value is None:
        return "-"
    return f"{float(value):,.0f} ms"


def short_digest(digest: Any) -> str:
    """``sha256:0123456789ab``."""
    return str(digest)[: len("sha256:") + 12] if digest else "-"


def pretty_json(value: Any) -> str:
    """Indented JSON as text (escaped by the template like any text); hidden characters
    as ``\\uXXXX``, anything key-like masked."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return escape_json(redact(text))


FILTERS = {
    "pretty_json": pretty_json,
    "usd": usd,
    "money": money,
    "tokens": tokens,
    "percent": percent,
    "millis": millis,
    "short": short_digest,
}
