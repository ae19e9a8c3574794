from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.serve.serve_fixtures import Server, compile_example


@pytest.fixture
def manifest(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "manifest.lock.json"
    return path, compile_example(path)


@pytest.fixture
def server(manifest: tuple[Path, dict[str, Any]], tmp_path: Path) -> Iterator[Server]:
    srv = Server(str(manifest[0]), tmp_path)
    yield srv
    srv.stop()
