"""The read-only base of the client's value objects (no attribute set or deleted after init)."""

from __future__ import annotations

from typing import Any, NoReturn


class _Frozen:
    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")
