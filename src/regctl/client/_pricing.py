"""Exact USD cost of a call from a model's manifest prices."""

from __future__ import annotations

from decimal import Decimal

from regctl.client.errors import PricingError
from regctl.client.types import Model


def cost(m: Model, input_tokens: int, output_tokens: int, cached_input_tokens: int) -> Decimal:
    """See :meth:`regctl.client.Registry.cost`."""
    for name, n in (
        ("input_tokens", input_tokens),
        ("output_tokens", output_tokens),
        ("cached_input_tokens", cached_input_tokens),
    ):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise PricingError(f"{name} must be a whole number >= 0, got {n!r}")
    if cached_input_tokens > input_tokens:
        raise PricingError("cached_input_tokens cannot exceed input_tokens")
    pricing = m.pricing
    if not pricing:
        raise PricingError(f"model {m.key!r} has no pricing in the manifest")
    if pricing.get("currency", "USD") != "USD":
        raise PricingError(f"model {m.key!r} is priced in {pricing['currency']!r}, not USD")

    def price(field: str, fallback: str | None = None) -> Decimal:
        value = pricing.get(field, pricing.get(fallback) if fallback else None)
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PricingError(f"model {m.key!r} has no {field} price")
        return Decimal(repr(value))

    total = Decimal(0)
    if input_tokens - cached_input_tokens:
        total += (input_tokens - cached_input_tokens) * price("input_per_mtok")
    if cached_input_tokens:
        total += cached_input_tokens * price("cached_input_per_mtok", "input_per_mtok")
    if output_tokens:
        total += output_tokens * price("output_per_mtok")
    return total.scaleb(-6)
