"""The compiler's fast lock JSON (orjson where it agrees) against the canonical form.

The runtime client checks digests with :mod:`regctl.base.canonical`, standard library
only; :mod:`regctl.pipeline.lockjson` must give the same bytes and the same digest for
every manifest: real ones (the example registry, a generated one, the models.dev corpus)
and values hypothesis makes of JSON's corners (escapes, any Unicode, big integers,
floats an exponent spells, NaN, -0.0). Also without orjson installed.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fleet import modelsdev_registry  # noqa: F401

from regctl.base import canonical
from regctl.pipeline import lockjson
from regctl.pipeline.compile import compile_registry

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from gen_registry import generate  # type: ignore[import-not-found]  # noqa: E402


def same(doc: dict[str, Any]) -> None:
    assert "".join(lockjson.iter_pretty(doc)) == "".join(canonical.iter_pretty(doc))
    assert "".join(lockjson.iter_pretty(doc)) == canonical.dumps_pretty(doc)
    assert lockjson.compute_digest(doc) == canonical.compute_digest(doc)
    assert b"".join(lockjson.iter_pretty_bytes(doc)) == canonical.dumps_pretty(doc).encode()


def compiled(root: Path) -> dict[str, Any]:
    result = compile_registry(root, as_of=dt.date(2026, 11, 23))
    assert result.manifest is not None, result.problems[:3]
    return result.manifest


def test_orjson_is_used() -> None:
    """The speed-up is installed where the tests run (pyproject lists it)."""
    assert lockjson.orjson is not None


def test_example_and_generated_registries(tmp_path: Path) -> None:
    same(compiled(ROOT / "registry"))
    generate(tmp_path / "r", 5, 500, seed=11, envs=1)
    same(compiled(tmp_path / "r"))


def test_modelsdev_corpus(modelsdev_registry: Path) -> None:  # noqa: F811
    same(compiled(modelsdev_registry))


_floats = st.one_of(
    st.floats(),
    st.sampled_from([0.0, -0.0, 1e-4, 9.999e-05, 1e-05, 1e-7, 1e15, 1e16, 9999999999999998.0,
                     1.5e16, 5e-324, 1.7976931348623157e308, math.inf, -math.inf, math.nan,
                     0.1, 0.30000000000000004, 123456.789]),
)  # fmt: skip
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    _floats,
    st.text(),
    st.text(alphabet=st.sampled_from('"\\\x00\x1f\x7f\u2028\u2029é😀\n\t/')),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None)
@given(_values, st.sampled_from([0, 2, 4]))
def test_any_value(value: Any, indent: int) -> None:
    piece: list[str] = []
    canonical._pretty(value, indent, piece.append)
    assert lockjson.pretty(value, indent) == "".join(piece)
    assert lockjson.pretty_bytes(value, indent) == "".join(piece).encode("utf-8")
    doc = {"models": {"m": value}, "x": value}
    assert lockjson.compute_digest(doc) == canonical.compute_digest(doc)


def test_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lockjson, "orjson", None)
    same(compiled(ROOT / "registry"))
    same({"models": {"a": {"p": 1e-05, "q": [math.nan, 2**80]}}})
