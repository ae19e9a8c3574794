"""regctl.authoring.inventory: the table and the selection behind both model listings."""

from __future__ import annotations

import re

import pytest

from regctl.authoring.inventory import select_models, table
from regctl.base.errors import RegctlError


def test_numbers_right_a_dash_only_column_left() -> None:
    out = table(["MODEL", "ACTIVE", "CONTEXT"], [["a/x", "-", "8,192"], ["a/long", "-", "-"]])
    assert out.splitlines() == [
        "MODEL   ACTIVE  CONTEXT",
        "a/x     -         8,192",
        "a/long  -             -",
    ]


MANIFEST = {
    "registry": {"capabilities": ["chat", "embedding", "vision"]},
    "providers": {"openai": {}, "xai": {}},
    "models": {
        "openai/b": {"provider": "openai", "capabilities": ["chat"], "active": ["chat"]},
        "openai/a": {"provider": "openai", "capabilities": ["chat", "vision"], "active": []},
        "xai/c": {"provider": "xai", "capabilities": ["chat"], "active": []},
    },
}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["openai/a", "openai/b", "xai/c"]),
        ({"capability": "chat", "active": True}, ["openai/b"]),
        ({"capability": "chat", "active": False}, ["openai/a", "xai/c"]),
        ({"providers": ["xai"]}, ["xai/c"]),
        ({"capability": "embedding"}, []),  # a known capability no model has: empty
    ],
)
def test_selection(kwargs: dict[str, object], expected: list[str]) -> None:
    assert [ref for ref, _ in select_models(MANIFEST, **kwargs)] == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"providers": ["opnai"]}, "unknown provider 'opnai' (did you mean 'openai'?)"),
        ({"capability": "chta"}, "unknown capability 'chta' (did you mean 'chat'?)"),
        ({"sort": "cost"}, "unknown sort key 'cost'"),
    ],
)
def test_a_typo_is_an_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(RegctlError, match=re.escape(message)):
        select_models(MANIFEST, **kwargs)  # type: ignore[arg-type]
