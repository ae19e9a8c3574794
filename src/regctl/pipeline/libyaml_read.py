"""Reading YAML with libyaml (PyYAML's C loader), for whatever the fast reader leaves.

PyYAML's C parser composes each document into a node graph; we then build the
values ourselves instead of using PyYAML's constructor, because we need four
things it does not give: the ``file:line:col`` of every key and value, an error
for duplicate keys (PyYAML silently keeps the last), a bound on alias expansion
(a "billion laughs" document composes to a tiny graph but constructs to billions
of nodes), and an error for non-string keys. Every problem of a file is found here:
:mod:`regctl.pipeline.fastyaml` reads only files it can read without one.

Mappings become :class:`PosDict` and sequences :class:`PosList`; both are plain
``dict``/``list`` subclasses (pydantic accepts them as such) with position side
tables. Scalars carry no position; their parent records it.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from regctl.base.i18n import msg
from regctl.messages import yaml_messages
from regctl.messages.problems import Location, Problem
from regctl.pipeline import source_guard
from regctl.pipeline.documents import Abort as _Abort
from regctl.pipeline.documents import Document
from regctl.pipeline.positions import Origin, PosDict, PosList, loc_of

MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000

try:  # the C parser is ~10x faster; fall back so a missing libyaml is slow, not broken
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TS, _MERGE = _TAG + "timestamp", _TAG + "merge"
_TRUE = frozenset({"true", "yes", "on"})
_FALLBACK = yaml.SafeLoader("")  # for the rare scalar forms (0x1F, 1_000, .inf, timestamps)
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
_RESOLVERS = yaml.SafeLoader.yaml_implicit_resolvers
_WILDCARD: tuple[tuple[str, Any], ...] = tuple(_RESOLVERS.get(None, []))
_IMPLICIT = {ch: (*rs, *_WILDCARD) for ch, rs in _RESOLVERS.items() if ch is not None}
# Keys and short values (capabilities, currencies, flags) repeat in every model: one
# shared string each instead of one per occurrence saves about 1 KB per model.
_intern = sys.intern
_SHORT = 24


class _Loader(_BaseLoader):
    """The C loader with a leaner tag resolver.

    libyaml calls back into Python three times per node (``descend_resolver``,
    ``resolve``, ``ascend_resolver``); PyYAML's generic versions of those calls
    cost about as much as the C parse itself. These give the same YAML 1.1
    answers (same table, same regexps) for safe loading, where path resolvers
    are never used; a test checks them against ``yaml.safe_load``.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def parse(raw: bytes, shown: str, text: str) -> list[Document]:
    """Every document of one file; the first problem aborts the file (:class:`Abort`)."""
    origin = Origin(shown, raw, collection_nodes)
    loader = _Loader(raw)  # bytes: libyaml decodes UTF-8 itself, faster than from str
    docs: list[Document] = []

    def compose() -> list[Node]:
        nodes = []
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node() said there is one
                break
            nodes.append(node)
        return nodes

    try:
        # libyaml's composer recurses in C: a deep file would crash the interpreter.
        nodes = source_guard.compose_safely(raw, shown, compose)
        if isinstance(nodes, Problem):
            raise _Abort(nodes)
        for index, node in enumerate(nodes):
            builder = _Builder(origin)
            data = builder.build(node)
            docs.append(Document(shown, index, data, builder.loc(node)))
    except yaml.MarkedYAMLError as exc:
        if source_guard.is_nesting_error(exc):  # libyaml's own bound (see source_guard)
            raise _Abort(source_guard.depth_problem(shown, exc.problem_mark)) from None
        raise _Abort(_syntax_problem(exc, shown, text)) from None
    except yaml.YAMLError as exc:
        raise _Abort(Problem("yaml-syntax", yaml_messages.other(exc), Location(shown))) from None
    finally:
        loader.dispose()
    return docs


def collection_nodes(raw: bytes) -> list[Node]:
    """The collection nodes of a file in the order :class:`_Builder` numbers them.

    Used to find positions after loading (see :class:`regctl.pipeline.positions.Origin`): the
    same pre-order walk, first visit only, ``<<`` merge values after the other keys.
    Only called for files that loaded without problems, so it needs no checks.
    """
    out: list[Node] = []
    loader = _Loader(raw)

    def walk(node: Node, seen: set[int]) -> None:
        if type(node) is ScalarNode or id(node) in seen:
            return
        seen.add(id(node))
        out.append(node)
        if type(node) is MappingNode:
            merges = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    merges.append(value_node)
                else:
                    walk(value_node, seen)
            for merge in merges:
                walk(merge, seen)
        else:
            for item in node.value:
                walk(item, seen)

    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                walk(node, set())
    finally:
        loader.dispose()
    return out


def _syntax_problem(exc: yaml.MarkedYAMLError, shown: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = source.splitlines()
    tab = (
        mark is not None and mark.line < len(lines) and lines[mark.line][mark.column :][:1] == "\t"
    )
    return Problem("yaml-syntax", yaml_messages.syntax(exc, tab), Location(shown, line, col))


class _Builder:
    """Turns one composed document into PosDict/PosList/scalars, enforcing the limits.

    This is the hot loop of validation (every node of every file passes here once),
    hence ``type(x) is`` tests and the inlined common case of string scalars.
    """

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.file = origin.file
        self.built: dict[int, tuple[Any, int]] = {}  # id(collection node) -> (value, size)
        self.in_progress: set[int] = set()  # detects recursive aliases
        self.aliases = 0
        self.expanded = 0
        self.depth = 0

    def loc(self, node: Node) -> Location:
        return loc_of(self.file, node)

    def build(self, node: Node) -> Any:
        return self._value(node)[0]

    def _value(self, node: Node) -> tuple[Any, int]:
        kind = type(node)
        if kind is ScalarNode:
            return self._scalar(node), 1  # type: ignore[arg-type]
        key = id(node)
        seen = self.built.get(key)
        if seen is not None:
            return self._alias(node, seen)
        if key in self.in_progress:
            raise _Abort(Problem("yaml-alias", msg("recursive alias"), self.loc(node)))
        if node.tag != (_MAP if kind is MappingNode else _SEQ):
            # !!python/tuple, !!set, !vault {...}: a tag asks for a type we never build.
            text = msg("unsupported YAML tag {tag} on a collection", tag=node.tag)
            raise _Abort(Problem("yaml-syntax", text, self.loc(node)))
        self.depth += 1
        if self.depth > source_guard.MAX_DEPTH:
            raise _Abort(source_guard.depth_problem(self.file, node.start_mark))
        self.in_progress.add(key)
        value: Any
        try:
            if kind is MappingNode:
                value, size = self._mapping(node)  # type: ignore[arg-type]
            else:
                value, size = self._sequence(node)  # type: ignore[arg-type]
        finally:
            self.in_progress.discard(key)
            self.depth -= 1
        self.built[key] = (value, size)
        return value, size

    def _alias(self, node: Node, seen: tuple[Any, int]) -> tuple[Any, int]:
        # A second visit of a collection node is an alias (the composer hands back the
        # anchored node itself, so the place reported is the anchor's). The value is
        # shared, not copied, so memory stays bounded; the bound on expanded size stops
        # later stages from walking an exponential tree.
        self.aliases += 1
        self.expanded += seen[1]
        if self.aliases > MAX_ALIASES or self.expanded > MAX_EXPANDED_NODES:
            raise _Abort(
                Problem(
                    "yaml-alias",
                    msg(
                        "the anchor defined here is aliased beyond the bound ({uses} alias "
                        "uses, {nodes} expanded nodes; limits {max_uses} and {max_nodes}): "
                        "possible alias bomb",
                        uses=self.aliases,
                        nodes=f"{self.expanded:,}",
                        max_uses=MAX_ALIASES,
                        max_nodes=f"{MAX_EXPANDED_NODES:,}",
                    ),
                    self.loc(node),
                )
            )
        return seen

    def _mapping(self, node: MappingNode) -> tuple[PosDict, int]:
        origin = self.origin
        out = PosDict.lazy(origin, origin.count)
        origin.count += 1
        size = 1
        merges: list[Node] | None = None
        for key_node, value_node in node.value:
            ktag = key_node.tag
            if ktag == _STR and type(key_node) is ScalarNode:
                key = _intern(key_node.value)
            elif ktag == _MERGE:
                merges = [*(merges or []), value_node]
                continue
            else:
                key = self._other_key(key_node)
            if key in out:
                self._duplicate(node, key, key_node)
            if type(value_node) is ScalarNode:
                if value_node.tag == _STR:
                    text = value_node.value
                    out[key] = _intern(text) if len(text) < _SHORT else text
                else:
                    out[key] = self._scalar(value_node)
                size += 1
            else:
                value, vsize = self._value(value_node)
                out[key] = value
                size += vsize
        if merges:
            for merge in merges:
                size += self._merge(out, merge)
        return out, size

    def _other_key(self, key_node: Node) -> str:
        """A key that is not a plain string: fine if it still builds to a str, else a problem."""
        shown = "(a collection)"
        if type(key_node) is ScalarNode:
            key = self._scalar(key_node)
            if isinstance(key, str):
                return key
            shown = repr(key)
        raise _Abort(
            Problem(
                "schema",
                msg(
                    "mapping key {key} is not a string "
                    "(YAML reads yes/no/on/off as booleans: quote the key)",
                    key=shown,
                ),
                self.loc(key_node),
            )
        )

    def _duplicate(self, node: MappingNode, key: str, key_node: Node) -> None:
        first = next(self.loc(k) for k, _ in node.value if k.value == key)
        raise _Abort(
            Problem(
                "duplicate-key",
                msg(
                    "duplicate key '{key}' (first at {first}); YAML would keep only the last",
                    key=key,
                    first=str(first),
                ),
                self.loc(key_node),
                related=(first,),
            )
        )

    def _merge(self, out: PosDict, merge: Node) -> int:
        """YAML merge keys (``<<: *base``): keys already present win."""
        value, size = self._value(merge)
        sources = value if isinstance(value, list) else [value]
        for src in sources:
            if not isinstance(src, PosDict):
                raise _Abort(
                    Problem("yaml-syntax", msg("'<<' must merge mappings"), self.loc(merge))
                )
            out.add_merged(src)
            for k, v in src.items():
                if k not in out:
                    out[k] = v
        return size

    def _sequence(self, node: SequenceNode) -> tuple[PosList, int]:
        origin = self.origin
        seq = PosList.lazy(origin, origin.count)
        origin.count += 1
        size = 1
        append = seq.append
        for item in node.value:
            if type(item) is ScalarNode:
                if item.tag == _STR:
                    text = item.value
                    append(_intern(text) if len(text) < _SHORT else text)
                else:
                    append(self._scalar(item))
                size += 1
            else:
                value, isize = self._value(item)
                append(value)
                size += isize
        return seq, size

    def _scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() in _TRUE
        if tag == _INT:
            return self._int(node)
        if tag == _FLOAT:
            return self._float(node)
        if tag == _TS:
            try:
                return _FALLBACK.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                text = msg(
                    "'{value}' is not a valid date or time (no such day, month or hour)",
                    value=value[:40],
                )
                raise _Abort(Problem("schema", text, self.loc(node))) from None
        text = msg("unsupported YAML tag {tag}", tag=tag)
        raise _Abort(Problem("yaml-syntax", text, self.loc(node)))

    def _int(self, node: ScalarNode) -> int:
        # Integers beyond 64 bits have no place in a registry (prices, limits, dates)
        # and do not survive a JSON reader in other languages; beyond Python's digit
        # limit int() itself refuses them.
        value = node.value
        if len(value.lstrip("+-").replace("_", "")) <= 20:
            digits = value.lstrip("+-")
            number: int | None = None
            try:
                if digits[:1] != "0" or digits == "0":  # a leading 0 means octal in YAML 1.1
                    number = int(value)
            except ValueError:
                pass
            if number is None:  # 0x1F, 0o17, 012, 1_000, 1:20 (sexagesimal)
                try:
                    number = _FALLBACK.construct_yaml_int(node)
                except ValueError:
                    number = None
            if number is not None and -(2**63) <= number < 2**63:
                return int(number)
        text = msg("integer out of range (a registry number must fit in 64 bits)")
        raise _Abort(Problem("schema", text, self.loc(node)))

    def _float(self, node: ScalarNode) -> float:
        try:
            number = float(node.value)
        except ValueError:
            number = _FALLBACK.construct_yaml_float(node)
        if not math.isfinite(number):
            # .inf, .nan and 1e400 (which overflows to inf): the manifest is strict JSON.
            text = msg(
                "'{value}' is not a finite number (.inf, .nan and overflow are refused)",
                value=node.value[:40],
            )
            raise _Abort(Problem("schema", text, self.loc(node)))
        return float(number)
