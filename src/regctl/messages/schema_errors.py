"""Pydantic's validation errors said in the user's language.

pydantic writes its messages in English only. Each error *type* it can raise for the
registry's models maps to one catalog message here, filled from the error's ``ctx``
(limits, allowed values), so ``validate`` speaks the same language for a wrong type as
for a rule. The English text stays what it was (JSON output and annotations are built
from it); an error type not listed keeps pydantic's own English words.
"""

from __future__ import annotations

import re
from typing import Any

from regctl.base.i18n import N_, Msg, msg

#: error type -> (catalog message, the ``ctx`` keys it is filled with)
_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "missing": (N_("required field is missing"), ()),
    "int_type": (N_("input should be a valid integer"), ()),
    "int_parsing": (N_("input should be a valid integer"), ()),
    "int_from_float": (N_("input should be a whole number"), ()),
    "float_type": (N_("input should be a valid number"), ()),
    "float_parsing": (N_("input should be a valid number"), ()),
    "finite_number": (N_("input should be a finite number"), ()),
    "string_type": (N_("input should be a valid string"), ()),
    "bool_type": (N_("input should be true or false"), ()),
    "bool_parsing": (N_("input should be true or false"), ()),
    "list_type": (N_("input should be a list"), ()),
    "dict_type": (N_("input should be a mapping"), ()),
    "model_type": (N_("input should be a mapping"), ()),
    "model_attributes_type": (N_("input should be a mapping"), ()),
    "date_type": (N_("input should be a date (YYYY-MM-DD)"), ()),
    "date_parsing": (N_("input should be a date (YYYY-MM-DD)"), ()),
    "date_from_datetime_parsing": (N_("input should be a date (YYYY-MM-DD)"), ()),
    "date_from_datetime_inexact": (N_("input should be a date (YYYY-MM-DD)"), ()),
    "greater_than": (N_("must be greater than {gt}"), ("gt",)),
    "greater_than_equal": (N_("must be at least {ge}"), ("ge",)),
    "less_than": (N_("must be less than {lt}"), ("lt",)),
    "less_than_equal": (N_("must be at most {le}"), ("le",)),
    "string_too_short": (N_("must have at least {min_length} characters"), ("min_length",)),
    "string_too_long": (N_("must have at most {max_length} characters"), ("max_length",)),
    "too_short": (N_("must have at least {min_length} items"), ("min_length",)),
    "too_long": (N_("must have at most {max_length} items"), ("max_length",)),
    "literal_error": (N_("must be one of {expected}"), ("expected",)),
    "enum": (N_("must be one of {expected}"), ("expected",)),
    "string_pattern_mismatch": (N_("does not match the pattern {pattern}"), ("pattern",)),
    "url_parsing": (N_("input should be a valid URL"), ()),
    "url_type": (N_("input should be a valid URL"), ()),
    "url_scheme": (N_("URL scheme should be one of {expected_schemes}"), ("expected_schemes",)),
}


def message(err: Any) -> str:
    """The message for one pydantic error dict (a :class:`Msg` where the type is known)."""
    etype, ctx = err["type"], err.get("ctx") or {}
    if etype == "value_error":
        # our validators raise ValueError(msg(...)); keep that Msg, it knows its template
        error = ctx.get("error")
        first = error.args[0] if isinstance(error, Exception) and error.args else None
        return first if isinstance(first, Msg) else str(error if error is not None else err["msg"])
    if etype in ("bool_type", "list_type") and err["loc"][-1] in ("bool", "list[constrained-str]"):
        return msg("must be true, false, or a list of capabilities")
    if etype in _TEMPLATES:
        template, keys = _TEMPLATES[etype]
        args = {k: ctx.get(k, "") for k in keys}
        if "expected" in args:  # pydantic's "'a', 'b' or 'c'" has an English "or" in it
            args["expected"] = ", ".join(re.findall(r"'[^']*'", str(args["expected"])))
        return Msg(template, **args)
    text = str(err["msg"])
    return text[0].lower() + text[1:] if text else str(etype)
