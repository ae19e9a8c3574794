"""Stage 2b: validate raw documents against :mod:`~regctl.pipeline.schema`, errors at YAML places.

Pydantic reports an error at a ``loc`` path such as ``('models', 3, 'limits',
'contxt_window')``; we follow that path through the :class:`PosDict`/:class:`PosList`
values to find the line and column, turn ``extra_forbidden`` into the
``unknown-field`` rule with a did-you-mean, and never echo input values (a
mistyped field may hold a key).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from regctl.base.i18n import msg
from regctl.base.suggest import did_you_mean
from regctl.messages import progress, schema_errors
from regctl.messages.problems import Location, Problem
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.schema import API_VERSION, KINDS, ModelBody, Strict
from regctl.pipeline.source import Document

M = TypeVar("M", bound=BaseModel)


@dataclass
class Parsed:
    """A typed document with its raw, positioned data."""

    kind: str
    obj: Strict
    raw: PosDict
    file: str


@dataclass
class ParsedModel:
    """A model (inline or standalone) with its raw data."""

    provider: str
    obj: ModelBody
    raw: PosDict
    file: str


__all__ = ["did_you_mean", "parse_document", "parse_models", "validate"]


def parse_document(doc: Document) -> tuple[Parsed | None, list[Problem]]:
    """Check ``apiVersion``/``kind`` and validate the document against its kind."""
    data = doc.data
    if data is None:
        return None, []
    if not isinstance(data, PosDict):
        return None, [Problem("schema", msg("a document must be a mapping"), doc.pos)]
    version, kind = data.get("apiVersion"), data.get("kind")
    if version != API_VERSION:
        where = data.val_pos.get("apiVersion", data.pos)
        text = (
            msg("missing apiVersion: expected '{version}'", version=API_VERSION)
            if version is None
            else msg("unknown apiVersion: expected '{version}'", version=API_VERSION)
        )
        return None, [Problem("unknown-kind", text, where)]
    if kind not in KINDS:
        where = data.val_pos.get("kind", data.pos)
        if kind is None:
            return None, [Problem("unknown-kind", msg("missing kind"), where)]
        hint = did_you_mean(str(kind), list(KINDS))
        text = msg(
            "unknown kind '{kind}'{hint}; expected one of {kinds}",
            kind=kind,
            hint=hint,
            kinds=", ".join(KINDS),
        )
        return None, [Problem("unknown-kind", text, where)]
    obj, problems = validate(KINDS[kind], data)
    return (Parsed(kind, obj, data, doc.file) if obj is not None else None), problems


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


def validate(cls: type[M], raw: PosDict, prefix: str = "") -> tuple[M | None, list[Problem]]:
    """Validate ``raw`` as ``cls``; on failure return the mapped problems."""
    try:
        return _share_fields_set(cls.model_validate(raw)), []  # type: ignore[return-value]
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


def parse_models(
    provider_id: str, items: Any, raw_parent: PosDict, file: str
) -> tuple[list[ParsedModel], list[Problem]]:
    """Validate a provider's inline ``models`` one by one, so one bad model hides no other."""
    out: list[ParsedModel] = []
    problems: list[Problem] = []
    if not isinstance(items, PosList):
        if items is not None:
            where = raw_parent.val_pos.get("models", raw_parent.pos)
            problems.append(Problem("schema", msg("models: must be a list of models"), where))
        return out, problems
    for i, item in enumerate(items):
        if not isinstance(item, PosDict):
            # positions only when reporting: computing them re-reads the file
            problems.append(
                Problem("schema", msg("models[{i}]: must be a mapping", i=i), items.item_pos[i])
            )
            continue
        obj, probs = validate(ModelBody, item, prefix=f"models[{i}].")
        problems.extend(probs)
        if obj is not None:
            out.append(ParsedModel(provider_id, obj, item, file))
    progress.advance("models checked", len(items))
    return out, problems


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
