"""The round-trip (ruamel.yaml) view of one registry file, for edits text splices cannot do.

Editors find what to change with the fast index (:mod:`regctl.authoring.index`) and edit
the text in place (:mod:`regctl.authoring.patch`). When a file's layout does not allow
that (a flow mapping, merge keys, an overlay entry that does not exist yet), that one file
is read with ruamel.yaml, which keeps comments, quotes and order, edited as a tree and
dumped whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from regctl.authoring.files import Snapshot
from regctl.authoring.index import definitions
from regctl.base.errors import RegctlError


def round_trip_yaml() -> YAML:
    """A ruamel round-trip loader/dumper that keeps quotes and never wraps long lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


@dataclass
class FileTree:
    """One registry file as round-trip documents, with its models and environments by id."""

    snapshot: Snapshot
    docs: list[Any]
    models: dict[tuple[str, str], CommentedMap] = field(default_factory=dict)
    environments: dict[str, CommentedMap] = field(default_factory=dict)


def load_tree(snap: Snapshot) -> FileTree:
    """Read one file with ruamel.yaml and index its models and environments."""
    try:
        docs = [d for d in round_trip_yaml().load_all(snap.text) if d is not None]
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RegctlError(f"{snap.path}{where}: [yaml-syntax] {problem}") from None
    tree = FileTree(snap, docs)
    for doc in docs:
        for what, key, node in definitions(doc):
            if what == "model":
                tree.models.setdefault(key, node)
            elif what == "environment":
                tree.environments.setdefault(key, node)
    return tree


def set_in_tree(node: CommentedMap, key: str, value: Any, after: tuple[str, ...]) -> None:
    """Set ``node[key]``, placed after the first present key of ``after`` if it is new.

    A list value is written as a flow list (``[chat, code]``). A key that the mapping only
    has through a merge key gets its own entry: it overrides the merged value and the
    anchor (shared with other mappings) stays as it was.
    """
    new: Any = value
    if isinstance(value, list):
        new = CommentedSeq(value)
        new.fa.set_flow_style()
    if key in node:
        node[key] = new
        return
    pos = 0
    keys = list(node.keys())
    for anchor in after:
        if anchor in node:
            pos = keys.index(anchor) + 1
            break
    node.insert(pos, key, new)
