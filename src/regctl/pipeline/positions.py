"""Values that remember where they were written: the containers every later stage reads.

Mappings are :class:`PosDict` and sequences :class:`PosList`; both are plain
``dict``/``list`` subclasses (pydantic accepts them as such) with position side
tables. Scalars carry no position; their parent records it.

Positions are compact: a loaded collection keeps only its file's :class:`Origin`
(shared, holding the file's bytes) and its ordinal among that file's collections.
Keeping libyaml's node graph instead (every node with two marks) cost about 25 KB per
model, 60x the YAML itself; recording every line and column up front costs more time
than the parse. Positions are asked for rarely (a problem to report, a key to edit), so
the first ask re-composes that one file and the answer is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from regctl.messages.problems import Location

if TYPE_CHECKING:
    from yaml.nodes import Node

MERGE_TAG = "tag:yaml.org,2002:merge"


def loc_of(file: str, node: Node) -> Location:
    """The 1-based place where ``node`` starts."""
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


class Origin:
    """One loaded file: its display name and bytes, and its collection nodes on demand.

    ``compose`` turns the bytes back into the file's collection nodes in the order the
    loader numbered them (pre-order, first visit, merge keys last); it is the loader's
    own walk, so ordinals always match.
    """

    __slots__ = ("_compose", "_nodes", "count", "file", "raw")

    def __init__(self, file: str, raw: bytes, compose: Callable[[bytes], list[Node]]) -> None:
        self.file = file
        self.raw = raw
        self.count = 0  # collections numbered so far (the loader increments it)
        self._compose = compose
        self._nodes: list[Node] | None = None

    def node(self, ordinal: int) -> Any:
        """The collection node numbered ``ordinal`` (composes the file on first use)."""
        if self._nodes is None:
            self._nodes = self._compose(self.raw)
        return self._nodes[ordinal]


class PosDict(dict[str, Any]):
    """A mapping with the location of itself, of each key, and of each value.

    Positions are computed on first use from the file's :class:`Origin`: most
    mappings are never asked for a position, and building a :class:`Location`
    for every key and value up front would cost more than the parse itself.
    """

    __slots__ = ("_key_pos", "_layers", "_merged", "_ord", "_origin", "_pos", "_val_pos")

    def __init__(self, pos: Location) -> None:
        super().__init__()
        self._pos: Location | None = pos
        self._origin: Origin | None = None
        self._ord = 0
        self._merged: list[PosDict] | None = None
        self._layers: tuple[PosDict, ...] | None = None
        self._key_pos: dict[str, Location] | None = {}
        self._val_pos: dict[str, Location] | None = {}

    @classmethod
    def lazy(cls, origin: Origin, ordinal: int) -> PosDict:
        """A mapping whose positions come from collection ``ordinal`` of ``origin``."""
        new = cls.__new__(cls)
        new._pos, new._origin, new._ord, new._merged = None, origin, ordinal, None
        new._key_pos = new._val_pos = new._layers = None
        return new

    @classmethod
    def layered(cls, *layers: PosDict) -> PosDict:
        """An empty mapping whose positions come from ``layers`` (asked for on first use).

        It is where the first layer is; a key is where the last layer holding it wrote
        it (an environment's value over the base file's). Overlays and copies are built
        this way so that merging a valid environment reads no position at all.
        """
        new = cls.__new__(cls)
        new._pos, new._origin, new._ord, new._merged = None, None, 0, None
        new._key_pos = new._val_pos = None
        new._layers = layers
        return new

    @property
    def file(self) -> str:
        """The display path of the file this mapping was written in."""
        if self._origin is not None:
            return self._origin.file
        if self._layers:
            return self._layers[0].file
        return self.pos.file

    @property
    def pos(self) -> Location:
        if self._pos is None:
            if self._layers:
                self._pos = self._layers[0].pos
            else:
                assert self._origin is not None
                self._pos = loc_of(self._origin.file, self._origin.node(self._ord))
        return self._pos

    @property
    def key_pos(self) -> dict[str, Location]:
        if self._key_pos is None:
            self._materialize()
        assert self._key_pos is not None
        return self._key_pos

    @property
    def val_pos(self) -> dict[str, Location]:
        if self._val_pos is None:
            self._materialize()
        assert self._val_pos is not None
        return self._val_pos

    def _materialize(self) -> None:
        key_pos: dict[str, Location] = {}
        val_pos: dict[str, Location] = {}
        if self._layers:
            for k in self:
                for layer in reversed(self._layers):
                    if k in layer:
                        key_pos[k], val_pos[k] = layer.key_pos[k], layer.val_pos[k]
                        break
            self._key_pos, self._val_pos = key_pos, val_pos
            return
        assert self._origin is not None
        file = self._origin.file
        for key_node, value_node in self._origin.node(self._ord).value:
            if key_node.tag != MERGE_TAG:
                key_pos[key_node.value] = loc_of(file, key_node)
                val_pos[key_node.value] = loc_of(file, value_node)
        for src in self._merged or ():
            for k in src:
                if k not in key_pos:
                    key_pos[k], val_pos[k] = src.key_pos[k], src.val_pos[k]
        self._key_pos, self._val_pos = key_pos, val_pos

    def node(self) -> Any:
        """The libyaml mapping node this was loaded from, or ``None`` if built in code.

        Composes the file on first use (at C speed); editors read exact text positions
        (start and end of every key and value, flow or block style) from it.
        """
        return None if self._origin is None else self._origin.node(self._ord)

    @property
    def has_merge_keys(self) -> bool:
        """True if some keys come from a ``<<`` merge key rather than from this mapping."""
        return bool(self._merged)

    def add_merged(self, src: PosDict) -> None:
        """Record a ``<<`` merge source: its keys' positions are the merged keys' positions."""
        self._merged = [*(self._merged or []), src]

    def copy_with(self) -> PosDict:
        """A shallow copy that keeps the positions (used by overlays)."""
        new = PosDict.layered(self)
        new.update(self)
        return new


class PosList(list[Any]):
    """A sequence with the location of itself and of each item (computed on first use)."""

    __slots__ = ("_copy_of", "_item_pos", "_ord", "_origin", "_pos")

    def __init__(self, pos: Location) -> None:
        super().__init__()
        self._pos: Location | None = pos
        self._origin: Origin | None = None
        self._ord = 0
        self._copy_of: PosList | None = None
        self._item_pos: list[Location] | None = []

    @classmethod
    def lazy(cls, origin: Origin, ordinal: int) -> PosList:
        """A sequence whose positions come from collection ``ordinal`` of ``origin``."""
        new = cls.__new__(cls)
        new._pos, new._origin, new._ord, new._item_pos = None, origin, ordinal, None
        new._copy_of = None
        return new

    @property
    def pos(self) -> Location:
        if self._pos is None:
            if self._copy_of is not None:
                self._pos = self._copy_of.pos
            else:
                assert self._origin is not None
                self._pos = loc_of(self._origin.file, self._origin.node(self._ord))
        return self._pos

    @property
    def item_pos(self) -> list[Location]:
        if self._item_pos is None:
            if self._copy_of is not None:
                self._item_pos = list(self._copy_of.item_pos)
            else:
                assert self._origin is not None
                file = self._origin.file
                self._item_pos = [loc_of(file, n) for n in self._origin.node(self._ord).value]
        return self._item_pos

    def copy_with(self) -> PosList:
        """A shallow copy that keeps the positions (asked for on first use)."""
        new = PosList.__new__(PosList)
        new._pos, new._origin, new._ord, new._item_pos = None, None, 0, None
        new._copy_of = self
        new.extend(self)
        return new


def source_line(container: PosDict | PosList, line: int) -> str | None:
    """The text of 1-based ``line`` of the file ``container`` was loaded from, if known.

    For a rule that wants the exact column of a character inside a value (libyaml marks
    only where the value starts); ``None`` for containers built in code.
    """
    origin = container._origin
    if origin is None or line < 1:
        return None
    start = 0
    for _ in range(line - 1):
        start = origin.raw.find(b"\n", start) + 1
        if start == 0:
            return None
    end = origin.raw.find(b"\n", start)
    return origin.raw[start : end if end >= 0 else None].decode("utf-8", "replace")


def ascii_source(container: PosDict | PosList) -> bool:
    """True when ``container`` was read from a file of ASCII bytes without a backslash.

    Then none of its strings holds a non-ASCII character (YAML escapes need a backslash),
    and a rule looking for one can skip the walk.
    """
    origin = container._origin
    return origin is not None and origin.raw.isascii() and b"\\" not in origin.raw
