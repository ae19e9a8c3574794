"""``regctl fmt``: canonical layout of registry files, keeping comments.

Keys are put in the documented order (:mod:`regctl.pipeline.layout`, shared with the importers;
unknown keys keep their relative order after the known ones), mappings are indented by
two spaces and list items by two spaces under their key. Comment lines written above a
key move with that key; end-of-line comments stay on their line.

The round trip is slow (ruamel.yaml is pure Python): ``regctl fmt`` runs it only on files
that :func:`regctl.authoring.fmtcheck.is_canonical` cannot vouch for
(:func:`regctl.authoring.fmtcheck.format_paths`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from regctl.authoring.rtindex import round_trip_yaml
from regctl.pipeline.layout import Rule, rule_for


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


def _apply(node: CommentedMap, rule: Rule) -> None:
    """Reorder ``node`` and what it holds by the shared layout rule."""
    if rule.order:
        _reorder(node, rule.order)
    for key, value in node.items():
        if isinstance(value, CommentedMap):
            sub = rule.field(str(key))
            if sub is not None:
                _apply(value, sub)
        elif isinstance(value, CommentedSeq) and key in rule.each:
            for item in value:
                if isinstance(item, CommentedMap):
                    _apply(item, rule.each[key])


def canonicalize(doc: Any) -> None:
    """Reorder the keys of one registry document in place (unknown kinds are left alone)."""
    if not isinstance(doc, CommentedMap):
        return
    rule = rule_for(doc.get("kind"))
    if rule is not None:
        _apply(doc, rule)


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
