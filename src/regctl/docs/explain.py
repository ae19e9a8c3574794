"""What a field of a registry document is: its type, default and documentation.

Read from the pydantic models of :mod:`regctl.pipeline.schema` (each field's docstring is its
doc), so ``regctl explain``, docs/reference.md and the JSON Schemas say the same thing.
A path is ``Kind.field.field...``: ``Provider.models.pricing.input_per_mtok``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from regctl.base.errors import UsageError
from regctl.base.suggest import did_you_mean
from regctl.pipeline.schema import KINDS, ModelBody

#: Fields typed loosely for validation reasons, with the model that describes them.
ITEM_MODELS: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (KINDS["Provider"], "models"): ModelBody,  # validated model by model at run time
}


@dataclass(frozen=True)
class Field:
    """One field as documented: where it is, its type, default and doc."""

    path: str
    typ: str
    required: bool
    default: str | None
    doc: str
    model: type[BaseModel] | None  # the object type it holds, if any


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _constraints(metadata: list[Any]) -> str:
    out = []
    for m in metadata:
        if isinstance(m, FieldInfo):
            nested = _constraints(list(m.metadata))
            out += [nested] if nested else []
            continue
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(m, attr, None)
            if value is not None:
                out.append(f"{sign} {value}")
        if getattr(m, "min_length", None):
            out.append(f"at least {m.min_length}")
        if getattr(m, "pattern", None):
            out.append(f"matching {m.pattern}")
    return ", ".join(out)


def type_name(tp: Any, metadata: list[Any] | None = None) -> str:
    """A reader's name for an annotation: ``list of string``, ``number >= 0``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return type_name(args[0], [*(metadata or []), *args[1:]])
    extra = _constraints(metadata or [])
    suffix = f" ({extra})" if extra else ""
    if origin in (typing.Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        text = " or ".join(names)
        return text + suffix
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if origin is list:
        return f"list of {type_name(args[0]) if args else 'any'}{suffix}"
    if origin is dict:
        return f"map of {type_name(args[0])} to {type_name(args[1])}{suffix}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"{tp.__name__} (object)"
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return simple[tp] + suffix
    name = getattr(tp, "__name__", str(tp))
    return {"date": "date (YYYY-MM-DD)", "Any": "any"}.get(name, name) + suffix


def _object(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        found = _object(arg)
        if found is not None:
            return found
    return None


def _default(info: FieldInfo) -> str | None:
    if info.is_required():
        return None
    value = info.default
    if value is PydanticUndefined or value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, BaseModel):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.model_dump().items()) + "}"
    return repr(value).replace("'", '"') if isinstance(value, str) else str(value)


def describe(owner: type[BaseModel], name: str, path: str) -> Field:
    """The :class:`Field` ``name`` of ``owner``."""
    info = owner.model_fields[name]
    model = ITEM_MODELS.get((owner, name)) or _object(info.annotation)
    tp = type_name(info.annotation, list(info.metadata))
    if (owner, name) in ITEM_MODELS:
        tp = f"list of {model.__name__ if model else 'any'} (object)"
    return Field(path, tp, info.is_required(), _default(info), _clean(info.description), model)


def kind_name(text: str) -> str:
    """``provider`` -> ``Provider``; a usage error with a did-you-mean otherwise."""
    for kind in KINDS:
        if kind.lower() == text.lower():
            return kind
    hint = did_you_mean(text, list(KINDS))
    raise UsageError(f"unknown kind '{text}'{hint}; kinds: {', '.join(KINDS)}")


def lookup(path: str) -> tuple[Field | None, type[BaseModel]]:
    """The field at ``path`` (``None`` for a bare kind) and the object type it holds."""
    head, *rest = [p for p in path.strip().split(".") if p]
    kind = kind_name(head)
    model: type[BaseModel] = KINDS[kind]
    shown, found = kind, None
    for part in rest:
        if part not in model.model_fields:
            hint = did_you_mean(part, list(model.model_fields))
            raise UsageError(f"{shown} has no field '{part}'{hint}")
        shown += "." + part
        found = describe(model, part, shown)
        if found.model is None and part != rest[-1]:
            raise UsageError(f"{shown} is a {found.typ}; it has no fields")
        if found.model is not None:
            model = found.model
    return found, model


def fields_of(model: type[BaseModel], prefix: str) -> list[Field]:
    """The direct fields of ``model``, in declaration order."""
    return [describe(model, name, f"{prefix}.{name}") for name in model.model_fields]


def walk(model: type[BaseModel] | None = None, prefix: str = "") -> Iterator[Field]:
    """Every field of every kind (or below ``model``), depth first."""
    if model is None:
        for kind, cls in KINDS.items():
            yield from walk(cls, kind)
        return
    for f in fields_of(model, prefix):
        yield f
        if f.model is not None:
            yield from walk(f.model, f.path)


def render(path: str) -> str:
    """What ``regctl explain PATH`` prints."""
    found, model = lookup(path)
    lines = []
    if found is None:
        lines += [f"KIND:     {model.__name__.removesuffix('Doc')}", ""]
        lines.append(_clean(model.__doc__) or "")
    else:
        lines.append(f"FIELD:    {found.path}")
        lines.append(f"TYPE:     {found.typ}")
        lines.append("REQUIRED: yes" if found.required else f"DEFAULT:  {found.default}")
        lines += ["", found.doc or "(no documentation)"]
    if found is None or found.model is not None:
        prefix = found.path if found else path.strip().split(".")[0]
        rows = fields_of(
            model, kind_name(prefix.split(".")[0]) + prefix[len(prefix.split(".")[0]) :]
        )
        width = max(len(r.path.rsplit(".", 1)[1]) for r in rows)
        lines += ["", "FIELDS:"]
        for r in rows:
            mark = " (required)" if r.required else ""
            lines.append(f"  {r.path.rsplit('.', 1)[1]:<{width}}  {r.typ}{mark}")
    return "\n".join(lines).rstrip() + "\n"
