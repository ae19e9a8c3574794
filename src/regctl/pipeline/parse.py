"""Stage 2b: validate raw documents against :mod:`~regctl.pipeline.schema`, errors at YAML places.

A document is checked first by :mod:`~regctl.pipeline.fastschema` (no pydantic: the
common, valid case costs no import and little time); whatever it does not accept goes
to pydantic (:mod:`~regctl.pipeline.pydantic_check`), which decides and reports each
error at its ``file:line:col``. Either way the document's typed object has the same
fields, values and methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regctl.base.i18n import msg
from regctl.base.suggest import did_you_mean
from regctl.messages import progress
from regctl.messages.problems import Problem
from regctl.pipeline import fastschema
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.source import Document
from regctl.pipeline.vocab import API_VERSION, KIND_CLASSES

if TYPE_CHECKING:
    from regctl.pipeline.schema import ModelBody, Strict


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
    if kind not in KIND_CLASSES:
        where = data.val_pos.get("kind", data.pos)
        if kind is None:
            return None, [Problem("unknown-kind", msg("missing kind"), where)]
        hint = did_you_mean(str(kind), list(KIND_CLASSES))
        text = msg(
            "unknown kind '{kind}'{hint}; expected one of {kinds}",
            kind=kind,
            hint=hint,
            kinds=", ".join(KIND_CLASSES),
        )
        return None, [Problem("unknown-kind", text, where)]
    obj, problems = validate(KIND_CLASSES[kind], data)
    return (Parsed(kind, obj, data, doc.file) if obj is not None else None), problems


def validate(name: str, raw: PosDict, prefix: str = "") -> tuple[Any, list[Problem]]:
    """Validate ``raw`` as ``schema.<name>``: the typed object (or ``None``) and the problems.

    On errors the object is still returned when it can be built without the fields in
    error (see :func:`regctl.pipeline.pydantic_check.validate`).
    """
    obj = fastschema.check(name, raw)
    if obj is not None:
        return obj, []
    from regctl.pipeline import pydantic_check  # pydantic only when something is wrong

    return pydantic_check.validate(name, raw, prefix)


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
        obj, probs = validate("ModelBody", item, prefix=f"models[{i}].")
        problems.extend(probs)
        if obj is not None:
            out.append(ParsedModel(provider_id, obj, item, file))
    progress.advance("models checked", len(items))
    return out, problems
