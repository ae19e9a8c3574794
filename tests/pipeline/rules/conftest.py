"""Build a small registry in a temp folder from the valid base case, with files swapped in."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from regctl.messages.problems import Problem
from regctl.pipeline.validate import validate

BASE = Path(__file__).parent.parent.parent / "cases" / "valid" / "minimal"
AS_OF = dt.date(2026, 6, 1)

Check = Callable[..., list[Problem]]


@pytest.fixture
def check(tmp_path: Path) -> Check:
    """``check({"rel/path.yaml": text or None}, rule=ID)``: the problems of that rule."""

    def run(
        files: dict[str, str | None], rule: str | None = None, as_of: dt.date = AS_OF
    ) -> list[Problem]:
        root = tmp_path / "reg"
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(BASE, root)
        for rel, text in files.items():
            path = root / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        problems = validate(root, as_of=as_of).problems
        return [p for p in problems if rule is None or p.rule == rule]

    return run


def read_base(rel: str) -> str:
    return (BASE / rel).read_text()
