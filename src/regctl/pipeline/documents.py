"""What reading a registry file gives: its documents, or the one problem that stopped it.

Shared by the two readers of :mod:`regctl.pipeline.source` (the fast one and libyaml's)
without importing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regctl.messages.problems import Location, Problem


@dataclass
class Document:
    """One YAML document of one file; ``data`` is ``None`` for an empty document."""

    file: str
    index: int
    data: Any
    pos: Location


class Abort(Exception):
    """Stops reading one file; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem
