"""``regctl fmt``: canonical layout of registry files, keeping comments.

Keys are put in the order docs/reference.md lists them (unknown keys keep their relative order
after the known ones), mappings are indented by two spaces and list items by two spaces
under their key. Comment lines written above a key move with that key; end-of-line
comments stay on their line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from regctl import schema
from regctl.authoring.files import Snapshot, write_checked
from regctl.authoring.rtindex import registry_files, round_trip_yaml
from regctl.errors import RegctlError

_HEAD = ("apiVersion", "kind")


def _fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """A kind's field order is its pydantic model's, which docs/reference.md is generated from."""
    return tuple(f for f in cls.model_fields if f not in _HEAD)


_MODEL = ("provider", *schema.ModelBody.model_fields)
_PROVIDER = _fields(schema.ProviderDoc)
# Order of the keys inside nested mappings, by the key that holds them.
_NESTED: dict[str, tuple[str, ...]] = {
    "limits": _fields(schema.Limits),
    "supports": _fields(schema.Supports),
    "pricing": _fields(schema.Pricing),
    "defaults": _fields(schema.CallDefaults),
    "params": _fields(schema.CallDefaults),
    "rate_limits": _fields(schema.RateLimits),
    "policy": _fields(schema.Policy),
}
_KINDS: dict[str, tuple[str, ...]] = {kind: _fields(cls) for kind, cls in schema.KINDS.items()}
_KINDS["Model"] = _MODEL
_VARIABLE = _fields(schema.Variable)


def _reorder(node: CommentedMap, order: Sequence[str]) -> None:
    rank = {k: i for i, k in enumerate(order)}
    keys = list(node.keys())
    wanted = sorted(keys, key=lambda k: (rank.get(str(k), len(rank)), keys.index(k)))
    if wanted == keys:
        return
    # ruamel keeps the comment lines written above a key in the comment *after* the
    # previous key's value. Detach them first, so that they move with the key they
    # describe, and the lines after the last value stay at the end of the mapping.
    above = {key: _detach(node, prev) for prev, key in pairwise(keys) if key != wanted[0]}
    after = _detach(node, keys[-1])
    for k in wanted:
        node.move_to_end(k)
    for prev, key in pairwise(wanted):
        if above.get(key):
            _attach(node, prev, above[key])
    if after:
        _attach(node, wanted[-1], after)


def _tail(container: Any, key: Any) -> tuple[dict[Any, Any], Any, int]:
    """Where ruamel keeps the comment after ``container[key]``: (ca.items, key, slot)."""
    value = container[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value):
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _tail(value, last)
    return container.ca.items, key, (2 if isinstance(container, CommentedMap) else 0)


def _detach(node: CommentedMap, key: Any) -> str:
    """Cut the whole-line comments after ``key``'s value, keeping its end-of-line comment."""
    items, k, slot = _tail(node, key)
    entry = items.get(k)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None:
        return ""
    eol, _, rest = token.value.partition("\n")
    if rest:
        token.value = eol + "\n"
    return str(rest)


def _attach(node: CommentedMap, key: Any, text: str) -> None:
    items, k, slot = _tail(node, key)
    entry = items.setdefault(k, [None, None, None, None])
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0), None)
    else:
        token.value = (
            token.value + text if token.value.endswith("\n") else token.value + "\n" + text
        )


def _nested(node: CommentedMap) -> None:
    for key, value in node.items():
        if key in _NESTED and isinstance(value, CommentedMap):
            # ``defaults`` of a Registry maps capabilities, not call parameters: its
            # keys are not in the table and keep their order.
            _reorder(value, _NESTED[str(key)])


def _format_model(node: CommentedMap, head: tuple[str, ...] = ()) -> None:
    _reorder(node, head + _MODEL)
    _nested(node)


def _format_provider(node: CommentedMap, head: tuple[str, ...] = ()) -> None:
    _reorder(node, head + _PROVIDER)
    _nested(node)
    models = node.get("models")
    if isinstance(models, CommentedSeq):
        for m in models:
            if isinstance(m, CommentedMap):
                _format_model(m)
    elif isinstance(models, CommentedMap):  # environment overlay: id -> fields
        for m in models.values():
            if isinstance(m, CommentedMap):
                _format_model(m)


def canonicalize(doc: Any) -> None:
    """Reorder the keys of one registry document in place (unknown kinds are left alone)."""
    if not isinstance(doc, CommentedMap):
        return
    kind = doc.get("kind")
    if kind == "Provider":
        _format_provider(doc, _HEAD)
    elif kind == "Model":
        _format_model(doc, _HEAD)
    elif isinstance(kind, str) and kind in _KINDS:
        _reorder(doc, _HEAD + _KINDS[kind])
        if kind == "Registry" and isinstance(doc.get("policy"), CommentedMap):
            _reorder(doc["policy"], _NESTED["policy"])
        if kind == "PromptTemplate":
            _nested(doc)
            variables = doc.get("variables")
            if isinstance(variables, CommentedMap):
                for spec in variables.values():
                    if isinstance(spec, CommentedMap):
                        _reorder(spec, _VARIABLE)
        if kind == "Environment" and isinstance(doc.get("providers"), CommentedMap):
            for prov in doc["providers"].values():
                if isinstance(prov, CommentedMap):
                    _format_provider(prov)


def dump_documents(docs: list[Any], original: str) -> str:
    """Serialize round-trip documents with the canonical indentation.

    A leading ``---`` in ``original`` is kept; documents after the first get ``---``.
    """
    yaml = round_trip_yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.explicit_start = original.lstrip().startswith("---")
    buf = io.StringIO()
    yaml.dump_all(docs, buf)
    return buf.getvalue()


def format_text(text: str) -> str:
    """The canonical form of one registry file's text."""
    yaml = round_trip_yaml()
    docs = [d for d in yaml.load_all(text)]
    for d in docs:
        canonicalize(d)
    docs = [d for d in docs if d is not None]
    if not docs:
        return text
    return dump_documents(docs, text)


@dataclass(frozen=True)
class FmtResult:
    """Files whose text differs from the canonical form, and files that could not be read."""

    changed: tuple[Path, ...]
    failed: tuple[tuple[Path, str], ...]


def format_paths(paths: Sequence[Path], *, check: bool) -> FmtResult:
    """Format every registry file below ``paths``; with ``check`` only report, never write."""
    from ruamel.yaml.error import YAMLError

    changed: list[Path] = []
    failed: list[tuple[Path, str]] = []
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise RegctlError(f"{p}: no such file or folder")
        files.extend(registry_files(p))
    for f in files:
        try:
            snap = Snapshot.take(f)
            new = format_text(snap.text)
        except UnicodeDecodeError:
            failed.append((f, "not UTF-8"))
            continue
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
            failed.append((f, f"{where}{getattr(exc, 'problem', None) or exc}"))
            continue
        if new != snap.text:
            changed.append(f)
            if not check:
                write_checked([(snap, new)])
    return FmtResult(tuple(changed), tuple(failed))
