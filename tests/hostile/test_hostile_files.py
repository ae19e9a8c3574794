"""Every file surface against every hostile file kind (see README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.hostile.files import FLOODS, KINDS
from tests.hostile.invariants import check, run
from tests.hostile.surfaces import SURFACES, family

CASES = [pytest.param(s.name, k, id=f"{s.name}-{k}") for s in family("file") for k in KINDS]


@pytest.mark.parametrize(("surface", "kind"), CASES)
def test_surface_survives_hostile_file(
    surface: str, kind: str, credentials: dict[str, str], tmp_path: Path
) -> None:
    s = SURFACES[surface]
    outcome = run(lambda: s.drive(KINDS[kind], tmp_path), trace_memory=kind in FLOODS)
    check(outcome, budget=5.0 + s.slack, tolerated=s.tolerates.get(kind))
