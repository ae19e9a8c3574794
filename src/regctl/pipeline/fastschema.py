"""The schema check of a valid document, without pydantic.

Validating the example registry spent most of its time importing pydantic and building
the models of :mod:`regctl.pipeline.schema` (about 70 ms, more than yamllint takes for
the whole folder), and about a third of a 10,000-model validation in pydantic's
per-model work. Nearly every document a command reads is valid, and for a valid one the
outcome is simple: the same values, typed. So this module checks a document against the
generated table :mod:`regctl.pipeline.schema_spec` (the JSON Schema of each pydantic
model, with its defaults, validators and methods) and builds :class:`FastModel` objects
with the same attributes, values and methods as the pydantic instances.

It only ever *accepts*: anything it does not fully understand (a value of another type,
a string that must match a pattern and is not ASCII, a date that is not ``YYYY-MM-DD``,
an unknown validator or schema keyword) makes :func:`check` return ``None``, and the
caller asks pydantic, which then reports the exact errors. A differential test holds
both to the same values on the real corpora and on generated documents.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from math import copysign
from typing import Any

from regctl.pipeline import vocab
from regctl.pipeline.schema_spec import TABLE

Checker = Callable[[Any], Any]


class _Decline(Exception):
    """The fast path cannot accept this value; pydantic decides."""


_NO = _Decline()


class FastModel:
    """A checked document or part of one: the pydantic model's fields as attributes.

    Frozen like the pydantic models; ``__dict__`` holds the fields in declaration order
    (readers iterate it, as they do a pydantic instance's).
    """

    __slots__ = ("__dict__",)
    model_fields_names: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({inner})"

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """The fields as plain values (nested models as dicts), like pydantic's python mode."""
        return {
            k: _dump(v, exclude_none)
            for k, v in self.__dict__.items()
            if not (exclude_none and v is None)
        }


def _dump(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, FastModel):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, dict):
        return {k: _dump(v, exclude_none) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v, exclude_none) for v in value]
    return value


def _pattern(text: str) -> Callable[[str], object]:
    # pydantic matches with Rust's regex, where `$` is the end of the text; Python's `$`
    # also matches before a final newline.
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1] + r"\Z"
    return re.compile(text).search


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z").match


def _date(value: Any) -> Any:
    if type(value) is dt.date:
        return value
    if type(value) is str and _ISO_DATE(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _NO from None
    raise _NO


def _string(node: dict[str, Any]) -> Checker:
    keys = set(node) - {"type"}
    if node.get("format") == "date" and keys == {"format"}:
        return _date
    if keys - {"minLength", "maxLength", "pattern", "const", "enum"}:
        return _never
    low, high = node.get("minLength", 0), node.get("maxLength")
    match = _pattern(node["pattern"]) if "pattern" in node else None
    allowed = (
        frozenset([node["const"]])
        if "const" in node
        else (frozenset(node["enum"]) if "enum" in node else None)
    )

    def check(value: Any) -> Any:
        if type(value) is not str:
            raise _NO
        if allowed is not None:
            if value in allowed:
                return value
            raise _NO
        if len(value) < low or (high is not None and len(value) > high):
            raise _NO
        if match is not None and not (value.isascii() and match(value)):
            raise _NO
        return value

    return check


def _bounds(node: dict[str, Any]) -> Callable[[float], bool]:
    lo, lo_x = node.get("minimum"), node.get("exclusiveMinimum")
    hi, hi_x = node.get("maximum"), node.get("exclusiveMaximum")

    def ok(v: float) -> bool:
        return (
            (lo is None or v >= lo)
            and (lo_x is None or v > lo_x)
            and (hi is None or v <= hi)
            and (hi_x is None or v < hi_x)
        )

    return ok


_NUMBER_KEYS = {"type", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}


def _integer(node: dict[str, Any]) -> Checker:
    if set(node) - _NUMBER_KEYS:
        return _never
    ok = _bounds(node)

    def check(value: Any) -> Any:
        if type(value) is int and ok(value):
            return value
        raise _NO

    return check


def _number(node: dict[str, Any]) -> Checker:
    if set(node) - _NUMBER_KEYS:
        return _never
    ok = _bounds(node)

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is float:
            if math.isfinite(value) and ok(value):
                return value
        elif kind is int and ok(value):
            return float(value)  # pydantic's float field turns 1 into 1.0
        raise _NO

    return check


def _boolean(value: Any) -> Any:
    if type(value) is bool:
        return value
    raise _NO


def _null(value: Any) -> Any:
    if value is None:
        return None
    raise _NO


def _any(value: Any) -> Any:
    return value


def _never(value: Any) -> Any:
    raise _NO


def _array(node: dict[str, Any]) -> Checker:
    if set(node) - {"type", "items", "minItems", "maxItems"}:
        return _never
    item = _compile(node.get("items", {}))
    low, high = node.get("minItems", 0), node.get("maxItems")

    def check(value: Any) -> Any:
        if not isinstance(value, list) or len(value) < low:
            raise _NO
        if high is not None and len(value) > high:
            raise _NO
        if item is _any:
            return list(value)
        return [item(v) for v in value]

    return check


def _object(node: dict[str, Any]) -> Checker:
    if set(node) - {"type", "additionalProperties", "patternProperties", "minProperties"}:
        return _never
    patterns = node.get("patternProperties")
    if patterns is not None:
        if len(patterns) != 1 or "additionalProperties" in node:
            return _never
        ((key_pattern, value_node),) = patterns.items()
        key_ok: Callable[[str], object] | None = _pattern(key_pattern)
        value = _compile(value_node)
    else:
        extra = node.get("additionalProperties", True)
        key_ok = None
        value = _any if extra is True else _compile(extra)
    low = node.get("minProperties", 0)

    def check(data: Any) -> Any:
        if not isinstance(data, dict) or len(data) < low:
            raise _NO
        out = {}
        for k, v in data.items():
            if type(k) is not str or (key_ok is not None and not (k.isascii() and key_ok(k))):
                raise _NO
            out[k] = value(v)
        return out

    return check


def _any_of(node: dict[str, Any]) -> Checker:
    if set(node) != {"anyOf"}:
        return _never
    branches = [_compile(n) for n in node["anyOf"]]
    if len(branches) == 2 and branches[1] is _null:
        first = branches[0]

        def optional(value: Any) -> Any:
            return None if value is None else first(value)

        return optional

    def check(value: Any) -> Any:
        for branch in branches:
            try:
                return branch(value)
            except _Decline:
                continue
        raise _NO

    return check


_TYPES: dict[str, Callable[[dict[str, Any]], Checker]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": lambda node: _boolean if set(node) == {"type"} else _never,
    "null": lambda node: _null if set(node) == {"type"} else _never,
    "array": _array,
    "object": _object,
}


def _compile(node: dict[str, Any]) -> Checker:
    """A checker for one JSON Schema node: returns the typed value or raises ``_NO``."""
    if not node:
        return _any
    if "$ref" in node:
        if set(node) != {"$ref"}:
            return _never
        name = node["$ref"].rsplit("/", 1)[-1]
        return lambda value: _model(name)(value)
    if "anyOf" in node:
        return _any_of(node)
    make = _TYPES.get(node.get("type", ""))
    return make(node) if make is not None else _never


# The model validators of schema.py, as checks on the built object (True: valid).
_VALIDATORS: dict[str, Callable[[Any], bool]] = {
    "_output_fits": lambda o: vocab.limits_ok(o.context_window, o.max_output_tokens),
    "_base_url_needed": lambda o: vocab.base_url_ok(o.api, o.base_url),
    "_target": lambda o: vocab.template_target_ok(o.capability, o.model),
    "_groups_need_shared": lambda o: o.shared_key_groups is None or o.allow_shared_credentials,
}

_CLASSES: dict[str, type[FastModel]] = {}
_CHECKERS: dict[str, Checker] = {}
_IMMUTABLE = (str, int, float, bool, type(None))


def fast_class(name: str) -> type[FastModel]:
    """The :class:`FastModel` subclass standing in for ``schema.<name>``."""
    cls = _CLASSES.get(name)
    if cls is None:
        spec = TABLE[name]
        bases = (*(getattr(vocab, m) for m in spec["mixins"]), FastModel)
        names = tuple(f[0] for f in spec["fields"])
        cls = type(name, bases, {"__slots__": (), "model_fields_names": names})
        _CLASSES[name] = cls
    return cls


def _model(name: str) -> Checker:
    checker = _CHECKERS.get(name)
    if checker is None:
        checker = _CHECKERS[name] = _build_model(name)
    return checker


def _build_model(name: str) -> Checker:
    spec = TABLE[name]
    cls = fast_class(name)
    new = object.__new__
    set_dict = object.__setattr__
    if any(v not in _VALIDATORS for v in spec["validators"]):
        return _never  # a validator this module does not know: pydantic decides
    validators = [_VALIDATORS[v] for v in spec["validators"]]
    checks: dict[str, Checker] = {}
    template: dict[str, Any] = {}  # every field in declaration order, with its default
    required: set[str] = set()
    fresh: list[tuple[str, Any]] = []  # fields whose default is a new {} / [] / model
    for field, is_required, default, node in spec["fields"]:
        checks[field] = _compile(node)
        template[field] = None
        if is_required:
            required.add(field)
        elif isinstance(default, _IMMUTABLE):
            template[field] = default
        else:
            fresh.append((field, default))
    names = frozenset(checks)
    # A model of scalars only (limits, supports, pricing, ...) is immutable and its field
    # types are fixed by the schema, so equal values make an equal object: one is kept
    # per combination (they repeat from model to model; about 1 KB per model less at
    # 50,000 models).
    leaf = not fresh and all(_is_scalar(node) for *_, node in spec["fields"])
    shared: dict[tuple[Any, ...], Any] = {}
    # -0.0 equals 0.0 but is written "-0.0": an object holding one is never shared
    numbers = [i for i, (*_, node) in enumerate(spec["fields"]) if "number" in str(node)]

    def check_model(data: Any) -> Any:
        if not isinstance(data, dict) or not names.issuperset(data):
            raise _NO  # not a mapping, or an unknown field
        if not required.issubset(data):
            raise _NO  # a required field is missing
        # a copy of the template keeps pydantic's field order whatever order data has
        values = template.copy()
        for field, value in data.items():
            values[field] = checks[field](value)
        for field, default in fresh:
            if field not in data:  # pydantic copies a mutable default for each object
                values[field] = checks[field](_copy(default))
        share = leaf
        if share:
            key = tuple(values.values())
            for i in numbers:
                if key[i] == 0 and copysign(1.0, key[i]) < 0:
                    share = False
            obj = shared.get(key) if share else None
            if obj is not None:
                return obj
        obj = new(cls)
        set_dict(obj, "__dict__", values)
        for valid in validators:
            if not valid(obj):
                raise _NO
        if share:
            if len(shared) > _SHARED_BOUND:
                shared.clear()
            shared[key] = obj
        return obj

    return check_model


_SHARED_BOUND = 100_000
_SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean", "null"})


def _is_scalar(node: dict[str, Any]) -> bool:
    """Whether a field's values are scalars whose type the schema fixes (no ``Any``)."""
    if "anyOf" in node:
        return all(_is_scalar(n) for n in node["anyOf"])
    return node.get("type") in _SCALAR_TYPES


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def check(name: str, data: Any) -> Any:
    """``data`` as a :class:`FastModel` standing in for ``schema.<name>``, or ``None``.

    ``None`` means "not decided here": the document may still be valid; ask pydantic.
    """
    try:
        return _model(name)(data)
    except _Decline:
        return None
    except RecursionError:  # a self-containing value (aliases): pydantic decides
        return None


def construct(name: str, values: dict[str, Any]) -> Any:
    """A :class:`FastModel` for ``schema.<name>`` from already checked field values."""
    obj = object.__new__(fast_class(name))
    object.__setattr__(obj, "__dict__", {f: values[f] for f in fast_class(name).model_fields_names})
    return obj
