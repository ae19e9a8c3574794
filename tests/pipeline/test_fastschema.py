"""The fast schema check (no pydantic) against pydantic itself.

Whatever :mod:`regctl.pipeline.fastschema` accepts, pydantic must accept with the same
typed values (types included: ``1`` in a float field is ``1.0`` on both); whatever pydantic
refuses, the fast check must decline. Checked on every document of the repository's
registries and test data, the models.dev corpus as ``regctl import modelsdev`` writes it,
a generated registry, and on documents hypothesis mutates field by field.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from tests.fleet import modelsdev_registry  # noqa: F401

from regctl.docs import schema_spec
from regctl.pipeline import fastschema, schema, vocab
from regctl.pipeline.positions import PosDict
from regctl.pipeline.source import load_registry, parse_documents

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from gen_registry import generate  # type: ignore[import-not-found]  # noqa: E402


def test_generated_table_is_current() -> None:
    current = schema_spec.TARGET.read_text(encoding="utf-8")
    assert current == schema_spec.render(), (
        f"{schema_spec.TARGET.name} is stale after a change to schema.py: "
        f"run `{schema_spec.COMMAND}` and commit the result"
    )


def test_every_validator_and_method_is_known() -> None:
    for name, spec in schema_spec.spec().items():
        for v in spec["validators"]:
            assert v in fastschema._VALIDATORS, f"{name}.{v}: add it to fastschema._VALIDATORS"
        pyd = getattr(schema, name)
        fast = fastschema.fast_class(name)
        public = {m for m in dir(pyd) if not m.startswith("_") and callable(getattr(pyd, m))}
        own = public - set(dir(BaseModel))  # methods schema.py defines (active_for, ...)
        missing = {m for m in own if not hasattr(fast, m)}
        assert not missing, f"{name}: methods only on the pydantic class: {missing}"


def same(fast: Any, pyd: Any, where: str = "") -> None:
    """The fast value equals pydantic's, with the same types all the way down."""
    if isinstance(pyd, BaseModel):
        assert isinstance(fast, fastschema.FastModel), where
        assert type(fast).__name__ == type(pyd).__name__, where
        assert list(fast.__dict__) == list(type(pyd).model_fields), where
        for f in type(pyd).model_fields:
            same(getattr(fast, f), getattr(pyd, f), f"{where}.{f}")
        return
    assert type(fast) is type(pyd), f"{where}: {type(fast).__name__} vs {type(pyd).__name__}"
    if isinstance(pyd, dict):
        assert list(fast) == list(pyd), where
        for k in pyd:
            same(fast[k], pyd[k], f"{where}[{k!r}]")
    elif isinstance(pyd, float):
        assert repr(fast) == repr(pyd), where  # -0.0 is not 0.0 in a lock
    elif isinstance(pyd, list):
        assert len(fast) == len(pyd), where
        for i, (a, b) in enumerate(zip(fast, pyd, strict=True)):
            same(a, b, f"{where}[{i}]")
    else:
        assert fast == pyd, where


def compare(name: str, data: Any) -> bool:
    """Hold one value to pydantic; True when the fast path accepted it."""
    fast = fastschema.check(name, data)
    try:
        pyd = getattr(schema, name).model_validate(data)
    except ValidationError:
        assert fast is None, f"fast path accepted what pydantic refuses as {name}"
        return False
    if fast is None:
        return False
    same(fast, pyd, name)
    assert fast.model_dump() == pyd.model_dump()
    assert fast.model_dump(exclude_none=True) == pyd.model_dump(exclude_none=True)
    return True


def documents(root: Path) -> list[PosDict]:
    """Every mapping document below ``root`` that names a known kind."""
    out = []
    for path in sorted(root.rglob("*.y*ml")):
        try:
            docs = parse_documents(path.read_bytes(), str(path))
        except Exception:  # a file the tests keep broken on purpose
            continue
        out += [d.data for d in docs if isinstance(d.data, PosDict)]
    return [d for d in out if d.get("kind") in vocab.KIND_CLASSES]


def hold_all(docs: list[PosDict]) -> tuple[int, int]:
    """Compare every document and inline model; (accepted, total)."""
    accepted = total = 0
    for doc in docs:
        total += 1
        accepted += compare(vocab.KIND_CLASSES[doc["kind"]], doc)
        for item in doc.get("models") or [] if doc["kind"] == "Provider" else []:
            total += 1
            accepted += compare("ModelBody", item)
    return accepted, total


def test_repository_documents() -> None:
    """The example registry, tests/data, tests/cases, conformance registries."""
    docs = [d for part in ("registry", "tests", "conformance") for d in documents(ROOT / part)]
    accepted, total = hold_all(docs)
    assert total > 150
    # the example registry is valid: every document of it takes the fast path
    example = documents(ROOT / "registry")
    assert hold_all(example) == (len(example) + 16, len(example) + 16)
    assert accepted > total // 2


def test_generated_registry(tmp_path: Path) -> None:
    generate(tmp_path / "r", 4, 400, seed=7, envs=2)
    docs = documents(tmp_path / "r")
    accepted, total = hold_all(docs)
    assert accepted == total >= 400


def test_modelsdev_corpus(modelsdev_registry: Path) -> None:  # noqa: F811
    """Every document ``regctl import modelsdev`` writes from the real corpus."""
    load = load_registry(modelsdev_registry)
    docs = [d.data for d in load.documents if isinstance(d.data, PosDict)]
    accepted, total = hold_all(docs)
    assert total > 4000
    assert accepted == total, f"{total - accepted} documents declined by the fast path"


# ---- generated documents: each field of a valid model replaced by an arbitrary value

_TEXT = st.sampled_from(
    ["", "x", "chat", "USD", "EUR", "openai", "a\n", "é", "https://x.example/a", "https://x\n",
     "http://", "2024-01-05", "2024-02-30", "2024-1-5", "env:KEY", "p0", "P0", "-x", "en",
     "fa", "pt-BR", "e", "abc\x1c", "gpt-4o:mini@v1/x", " a", "1"]
)  # fmt: skip
_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0, 1, 2, 2**40, 2**63 - 1, 128_000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.5, 2.0, 2.5, 1.0, -0.0]),
    _TEXT,
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1)),
    st.just(dt.datetime(2024, 1, 5, 0, 0)),
    st.just(dt.datetime(2024, 1, 5, 10, 30, tzinfo=dt.timezone.utc)),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=6,
)

_BASE_MODEL: dict[str, Any] = {
    "id": "m-1",
    "display_name": "M 1",
    "capabilities": ["chat"],
    "active": True,
    "limits": {"context_window": 8000, "max_output_tokens": 4000},
    "pricing": {"input_per_mtok": 1, "output_per_mtok": 2.5},
    "supports": {"tools": True},
    "defaults": {"temperature": 1, "max_tokens": 10},
    "released": dt.date(2024, 1, 1),
    "labels": {"team": "x"},
}
_BASE: dict[str, dict[str, Any]] = {
    "ModelBody": _BASE_MODEL,
    "ProviderDoc": {
        "apiVersion": "regctl/v1",
        "kind": "Provider",
        "id": "p",
        "display_name": {"en": "P", "fa": "پ"},
        "api": "openai",
        "credentials": ["env:P_KEY"],
        "defaults": {"temperature": 0.5},
        "rate_limits": {"rpm": 10},
        "models": [_BASE_MODEL],
    },
    "RegistryDoc": {
        "apiVersion": "regctl/v1",
        "kind": "Registry",
        "capabilities": ["chat"],
        "defaults": {"chat": "p"},
        "fallbacks": {"chat": ["q"]},
        "policy": {"deprecation_warning_days": 3},
        "budgets": [{"scope": "all", "monthly": 10, "warn_at": 0.5}],
        "secret_schemes": ["vault"],
    },
    "TemplateDoc": {
        "apiVersion": "regctl/v1",
        "kind": "PromptTemplate",
        "id": "t",
        "capability": "chat",
        "variables": {"x": {"required": True, "default": {"a": [1]}}},
        "user": "{{ x }}",
        "params": {"max_tokens": 5},
    },
    "EnvironmentDoc": {
        "apiVersion": "regctl/v1",
        "kind": "Environment",
        "id": "dev",
        "providers": {"p": {"enabled": False}},
        "defaults": {"chat": "p"},
    },
}
_FIELDS = sorted({(n, f[0]) for n in _BASE for f in schema_spec.spec()[n]["fields"]})


def _set(doc: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    out = dict(doc)
    if len(path) == 1:
        if value is _DELETE:
            out.pop(path[0], None)
        else:
            out[path[0]] = value
        return out
    child = out.get(path[0])
    out[path[0]] = _set(child if isinstance(child, dict) else {}, path[1:], value)
    return out


_DELETE = object()
_NESTED = ["limits", "pricing", "supports", "defaults", "rate_limits", "policy", "params"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_FIELDS),
    st.one_of(_VALUE, st.just(_DELETE)),
    st.sampled_from([None, *_NESTED]),
    st.sampled_from(["context_window", "max_output_tokens", "temperature", "max_tokens",
                     "input_per_mtok", "currency", "tools", "rpm", "deprecation_warning_days",
                     "unknown"]),
)  # fmt: skip
def test_mutated_documents(field: tuple[str, str], value: Any, nested: Any, inner: str) -> None:
    name, key = field
    path = [nested, inner] if nested is not None and nested in dict(_BASE[name]) else [key]
    compare(name, _set(_BASE[name], path, value))


def test_base_documents_take_the_fast_path() -> None:
    for name, doc in _BASE.items():
        assert compare(name, doc), name


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("ModelBody", {"limits": {"context_window": 10, "max_output_tokens": 20}}),
        ("ProviderDoc", {"api": "azure-openai"}),
        ("TemplateDoc", {"capability": None}),
        ("ModelBody", {"id": "m\n"}),
        ("ModelBody", {"released": "2024-02-30"}),
        ("ModelBody", {"display_name": {}}),
        ("ModelBody", {"active": 1}),
        ("ModelBody", {"surprise": 1}),
    ],
)
def test_invalid_documents_are_declined(name: str, change: dict[str, Any]) -> None:
    doc = {**_BASE[name], **change}
    assert fastschema.check(name, doc) is None
    with pytest.raises(ValidationError):
        getattr(schema, name).model_validate(doc)


def test_equal_small_models_are_shared_and_keep_their_values() -> None:
    """Limits, pricing, ... with equal values are one object; -0.0 stays -0.0."""
    a = fastschema.check("ModelBody", {**_BASE_MODEL, "pricing": {"input_per_mtok": 0.0}})
    b = fastschema.check("ModelBody", {**_BASE_MODEL, "pricing": {"input_per_mtok": 0.0}})
    c = fastschema.check("ModelBody", {**_BASE_MODEL, "pricing": {"input_per_mtok": -0.0}})
    assert a.pricing is b.pricing and a.limits is b.limits
    assert repr(c.pricing.input_per_mtok) == "-0.0" and repr(a.pricing.input_per_mtok) == "0.0"
    for obj in (a, c):
        compare(
            "ModelBody", {**_BASE_MODEL, "pricing": {"input_per_mtok": obj.pricing.input_per_mtok}}
        )
