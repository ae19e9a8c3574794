"""What a chosen model is called with: the call's parameters over the template's, the
model's and the provider's defaults, brought within the model's and the API's limits.

A limit applied is a ``params_over_limit`` warning on the answer, refused with the error
of the same code under ``strict=True`` (as every warning the resolution gives).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regctl.base.i18n import Msg, msg
from regctl.client.errors import (
    ModelDeprecated,
    ModelInactive,
    ParamsOverLimit,
    ResolutionError,
    TemplatePinUnusable,
)
from regctl.client.resolved import Notice
from regctl.client.types import Model, Provider

#: Warning codes; under ``strict=True`` each is refused with the error of the same code.
STRICT: dict[str, type[ResolutionError]] = {
    "model_inactive": ModelInactive,
    "model_deprecated": ModelDeprecated,
    "template_pin_unusable": TemplatePinUnusable,
    "params_over_limit": ParamsOverLimit,
}


def notice(code: str, text: Msg, strict: bool, warnings: list[Notice]) -> None:
    """Add warning ``code`` to ``warnings``; under ``strict``, raise its error instead."""
    if strict:
        raise STRICT[code](text)
    warnings.append(Notice(code, text))


def merge_params(
    p: Provider,
    m: Model,
    tparams: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    strict: bool,
    warnings: list[Notice],
) -> dict[str, Any]:
    """call > template > model defaults > provider defaults; ``max_tokens`` and
    ``temperature`` capped."""
    merged = {**p.defaults, **m.defaults, **tparams, **(params or {})}
    cap = m.limits.get("max_output_tokens")
    asked = merged.get("max_tokens")
    if (
        cap is not None
        and isinstance(asked, (int, float))
        and not isinstance(asked, bool)
        and asked > cap
    ):
        text = msg(
            "max_tokens {asked} is above the max_output_tokens {cap} of '{model}': capped",
            asked=asked,
            cap=cap,
            model=m.key,
        )
        notice("params_over_limit", text, strict, warnings)
        merged["max_tokens"] = cap
    _cap_temperature(p, m, merged, strict, warnings)
    return merged


def _cap_temperature(
    p: Provider, m: Model, merged: dict[str, Any], strict: bool, warnings: list[Notice]
) -> None:
    """A ``temperature`` outside what the provider's API accepts is brought into range
    (the vendor would refuse the call with a 400), with a ``params_over_limit`` warning."""
    asked = merged.get("temperature")
    if not isinstance(asked, (int, float)) or isinstance(asked, bool):
        return
    from regctl.base.sampling import temperature_max  # a load imports only what it uses

    top = temperature_max(p.api)
    if 0 <= asked <= top:
        return
    bound = top if asked > top else 0
    text = msg(
        "temperature {asked} is outside the range 0 to {top} of the {api} API of "
        "'{model}': set to {bound}",
        asked=asked,
        top=top,
        api=p.api,
        model=m.key,
        bound=bound,
    )
    notice("params_over_limit", text, strict, warnings)
    merged["temperature"] = bound
