from __future__ import annotations

from collections.abc import Iterator

import pytest

from regctl.base import i18n


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    # The language is process-wide; in-process CLI runs must not leak it to other tests.
    yield
    i18n.set_language("en")
