"""Values that remember where they were written: the containers every later stage reads.

Mappings are :class:`PosDict` and sequences :class:`PosList`; both are plain
``dict``/``list`` subclasses (pydantic accepts them as such) with position side
tables. Scalars carry no position; their parent records it.
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from regctl.problems import Location

MERGE_TAG = "tag:yaml.org,2002:merge"


def loc_of(file: str, node: Node) -> Location:
    """The 1-based place where ``node`` starts."""
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


class PosDict(dict[str, Any]):
    """A mapping with the location of itself, of each key, and of each value.

    Positions are computed on first use from the YAML node kept alongside: most
    mappings are never asked for a position, and building a :class:`Location`
    for every key and value up front would cost more than the parse itself.
    """

    __slots__ = ("_file", "_key_pos", "_merged", "_node", "_pos", "_val_pos")

    def __init__(self, pos: Location) -> None:
        super().__init__()
        self._pos: Location | None = pos
        self._node: MappingNode | None = None
        self._file = pos.file
        self._merged: list[PosDict] | None = None
        self._key_pos: dict[str, Location] | None = {}
        self._val_pos: dict[str, Location] | None = {}

    @classmethod
    def lazy(cls, file: str, node: MappingNode) -> PosDict:
        """A mapping whose positions come from ``node`` when first asked for (the loader's)."""
        new = cls.__new__(cls)
        new._pos, new._node, new._file, new._merged = None, node, file, None
        new._key_pos = new._val_pos = None
        return new

    @property
    def pos(self) -> Location:
        if self._pos is None:
            assert self._node is not None
            self._pos = loc_of(self._file, self._node)
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
        assert self._node is not None
        for key_node, value_node in self._node.value:
            if key_node.tag != MERGE_TAG:
                key_pos[key_node.value] = loc_of(self._file, key_node)
                val_pos[key_node.value] = loc_of(self._file, value_node)
        for src in self._merged or ():
            for k in src:
                if k not in key_pos:
                    key_pos[k], val_pos[k] = src.key_pos[k], src.val_pos[k]
        self._key_pos, self._val_pos = key_pos, val_pos

    def add_merged(self, src: PosDict) -> None:
        """Record a ``<<`` merge source: its keys' positions are the merged keys' positions."""
        self._merged = [*(self._merged or []), src]

    def first_key_loc(self, key: str) -> Location:
        """Where ``key`` is first written (for duplicate-key reports)."""
        assert self._node is not None
        return next(loc_of(self._file, k) for k, _ in self._node.value if k.value == key)

    def copy_with(self) -> PosDict:
        """A shallow copy that keeps the position tables (used by overlays)."""
        new = PosDict(self.pos)
        new.update(self)
        new.key_pos.update(self.key_pos)
        new.val_pos.update(self.val_pos)
        return new


class PosList(list[Any]):
    """A sequence with the location of itself and of each item (computed on first use)."""

    __slots__ = ("_file", "_item_pos", "_node", "_pos")

    def __init__(self, pos: Location) -> None:
        super().__init__()
        self._pos: Location | None = pos
        self._file = pos.file
        self._node: SequenceNode | None = None
        self._item_pos: list[Location] | None = []

    @classmethod
    def lazy(cls, file: str, node: SequenceNode) -> PosList:
        """A sequence whose positions come from ``node`` when first asked for."""
        new = cls.__new__(cls)
        new._pos, new._node, new._file, new._item_pos = None, node, file, None
        return new

    @property
    def pos(self) -> Location:
        if self._pos is None:
            assert self._node is not None
            self._pos = loc_of(self._file, self._node)
        return self._pos

    @property
    def item_pos(self) -> list[Location]:
        if self._item_pos is None:
            assert self._node is not None
            self._item_pos = [loc_of(self._file, n) for n in self._node.value]
        return self._item_pos

    def copy_with(self) -> PosList:
        new = PosList(self.pos)
        new.extend(self)
        new.item_pos.extend(self.item_pos)
        return new
