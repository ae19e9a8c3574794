"""Validate a document with pydantic and report each error at its YAML place.

The slow, exact path behind :func:`regctl.pipeline.parse.validate`, taken for what the
fast check (:mod:`~regctl.pipeline.fastschema`) does not accept. Pydantic reports an error
at a ``loc`` path such as ``('models', 3, 'limits', 'contxt_window')``; we follow that path
through the :class:`PosDict`/:class:`PosList` values to find the line and column, turn
``extra_forbidden`` into the ``unknown-field`` rule with a did-you-mean, and never echo
input values (a mistyped field may hold a key).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from regctl.base.i18n import msg
from regctl.base.suggest import did_you_mean
from regctl.messages import schema_errors
from regctl.messages.problems import Location, Problem
from regctl.pipeline import schema
from regctl.pipeline.positions import PosDict, PosList

_FIELD_SETS: dict[frozenset[str], frozenset[str]] = {}


def _share_fields_set(obj: BaseModel) -> BaseModel:
    """Give ``obj`` (and the models inside it) a shared, frozen ``model_fields_set``.

    pydantic keeps a new ``set`` per instance, about 1 KB per registry model with its
    nested limits/pricing/supports: the largest single cost of a compile's peak memory.
    The models are frozen, so the set is never changed and one per combination is enough.
    """
    fields = frozenset(obj.__pydantic_fields_set__)
    object.__setattr__(obj, "__pydantic_fields_set__", _FIELD_SETS.setdefault(fields, fields))
    for value in obj.__dict__.values():
        if isinstance(value, BaseModel):
            _share_fields_set(value)
    return obj


def validate(name: str, raw: PosDict, prefix: str = "") -> tuple[Any, list[Problem]]:
    """Validate ``raw`` as ``schema.<name>``; on failure also the mapped problems.

    With errors, the document is validated again without the fields in error, so that
    the other rules still see it (``None`` when that is impossible).
    """
    cls: type[BaseModel] = getattr(schema, name)
    try:
        return _share_fields_set(cls.model_validate(raw)), []
    except ValidationError as exc:
        problems = map_errors(exc, cls, raw, prefix)
        errors = exc.errors(include_url=False, include_input=False)
    # Validate again without the fields in error, so that the other rules still see this
    # document: the user gets every problem in one run, and a provider with a bad `api:`
    # still exists for the overlays that name it (no false "unknown provider"). A field
    # that is required, or a rule over several fields, keeps the document out.
    drop = []
    for e in errors:
        keys = _locate(raw, e["loc"])[0]
        while keys and not isinstance(keys[-1], str):
            keys = keys[:-1]  # a bad list item: drop the whole list
        if not keys:
            return None, problems
        drop.append(tuple(keys))
    try:
        return cls.model_validate(_without(raw, drop)), problems
    except ValidationError:
        return None, problems


def _without(raw: PosDict, locs: list[tuple[int | str, ...]]) -> PosDict:
    """A copy of ``raw`` with the keys at ``locs`` removed (copies only the paths touched)."""
    out = raw.copy_with()
    for loc in locs:
        node: Any = out
        for part in loc[:-1]:
            try:
                child = node[part]
            except (KeyError, IndexError, TypeError):
                break  # an earlier removal took the parent already
            if isinstance(child, (PosDict, PosList)):
                child = child.copy_with()
            node[part] = child
            node = child
        if isinstance(node, dict):
            node.pop(loc[-1], None)
    return out


def map_errors(
    exc: ValidationError, cls: type[BaseModel], raw: PosDict, prefix: str
) -> list[Problem]:
    problems: list[Problem] = []
    seen_paths: set[str] = set()
    for err in exc.errors(include_url=False, include_input=False):
        keys, where, key_where = _locate(raw, err["loc"])
        path = prefix + _dotted(keys)
        etype = err["type"]
        if etype == "extra_forbidden":
            field = str(keys[-1]) if keys else "?"
            fields = _fields_at(cls, keys[:-1])
            hint = did_you_mean(field, fields)
            owner = (prefix + _dotted(keys[:-1])).rstrip(".") or msg("this document")
            problems.append(
                Problem(
                    "unknown-field",
                    msg(
                        "unknown field '{field}' in {owner}{hint}",
                        field=field,
                        owner=owner,
                        hint=hint,
                    ),
                    key_where,
                )
            )
            continue
        if path in seen_paths:  # a union reports once per branch; one message is enough
            continue
        seen_paths.add(path)
        text = msg(
            "{path}: {message}{hint}",
            path=path or msg("document"),
            message=schema_errors.message(err),
            hint=_enum_hint(err, raw, keys),
        )
        problems.append(Problem("schema", text, where))
    return problems


def _enum_hint(err: Any, raw: PosDict, keys: Sequence[int | str]) -> str:
    """`` (did you mean 'openai'?)`` for ``api: opanai``; the typed value is never echoed."""
    if err["type"] != "literal_error":
        return ""
    value: Any = raw
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return ""
    if not isinstance(value, str):
        return ""
    choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
    return did_you_mean(value, choices)


def _locate(raw: Any, loc: tuple[int | str, ...]) -> tuple[list[int | str], Location, Location]:
    """Follow a pydantic ``loc`` through positioned data; skip union-branch names."""
    keys: list[int | str] = []
    node = raw
    where: Location = raw.pos
    key_where: Location = raw.pos
    for part in loc:
        if isinstance(node, PosDict) and isinstance(part, str) and part in node:
            key_where, where = node.key_pos[part], node.val_pos[part]
            node = node[part]
            keys.append(part)
        elif isinstance(node, PosList) and isinstance(part, int) and part < len(node):
            where = key_where = node.item_pos[part]
            node = node[part]
            keys.append(part)
        elif isinstance(node, PosDict) and isinstance(part, str) and _is_field_name(part):
            keys.append(part)  # a missing field: point at the mapping that lacks it
            where = key_where = node.pos
            node = None
    return keys, where, key_where


def _is_field_name(part: str) -> bool:
    return part.isidentifier() and "[" not in part


def _dotted(keys: Sequence[int | str]) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


def _fields_at(cls: type[BaseModel], keys: Sequence[int | str]) -> list[str]:
    """The field names of the model found at ``keys`` below ``cls`` (for did-you-mean)."""
    current: Any = cls
    for key in keys:
        if isinstance(key, int):
            continue
        model = _as_model(current)
        if model is None or key not in model.model_fields:
            return []
        current = model.model_fields[key].annotation
    model = _as_model(current)
    return list(model.model_fields) if model is not None else []


def _as_model(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(tp):
            found = _as_model(arg)
            if found is not None:
                return found
    return None
