"""Session fixtures of the conformance suite: the cases and their compiled manifests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conformance.contract import Case, compile_all, load_cases

CASES = load_cases()


@pytest.fixture(scope="session")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str | None], Path]:
    return compile_all(CASES, tmp_path_factory.mktemp("conformance"))


def by_id() -> dict[str, Case]:
    return {c.id: c for c in CASES}
