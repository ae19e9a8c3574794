"""Class 8: any digest-valid manifest with wrong types raises a ClientError; watch survives all."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from client_fixtures import base_doc, write_manifest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regctl.base.canonical import DIGEST_PREFIX, compute_digest, dumps_pretty, seal
from regctl.client import ClientError, Registry

# Values of every JSON type, plus shapes that break naive code (deep, huge, self-similar).
WRONG = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        2**70,
        1.5,
        1e308,
        "",
        "x",
        "openai/gpt-4o",
        [],
        [1],
        ["chat"],
        [[["x"]]],
        {},
        {"a": 1},
        {"id": 1},
        {"chat": ["x"]},
    ]
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


DOC = base_doc()
DOC["templates"] = {
    "t": {
        "id": "t",
        "capability": "chat",
        "user": "Hi {{ name }}",
        "variables": {"name": {"required": False, "default": "you"}},
        "params": {"n": 1},
    }
}
PATHS = [p for p in _paths(DOC) if p[0] not in ("apiVersion", "kind")]


def _mutate(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


def _exercise(reg: Registry) -> None:
    for m in reg.models():
        m.as_dict()
        for cap in m.capabilities:
            reg.active_model(m.provider, cap)
        reg.cost(m, 1000, 10)
    for cap in sorted(reg.capabilities):
        try:
            r = reg.resolve(cap)
            r.as_dict()
            r.call_kwargs()
            r.api_key(personal="k")
        except ClientError:
            pass
        reg.candidates(cap)
    for pid in list(reg.providers):
        reg.provider(pid).api_key("k")
    for tid in list(reg.templates):
        reg.render(tid)
    repr(reg)


def _run(doc: Any, tmp: Path) -> None:
    path = write_manifest(tmp / "m.json", doc)
    try:
        reg = Registry.load(path)
        _exercise(reg)
    except ClientError:
        pass  # the documented family: fine


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(PATHS), value=WRONG)
def test_any_type_mutation_is_a_client_error(tmp_path: Path, path: tuple, value: Any) -> None:
    _run(_mutate(DOC, path, value), tmp_path)


@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_several_mutations_at_once(tmp_path: Path, data: st.DataObject) -> None:
    doc = DOC
    for _ in range(data.draw(st.integers(2, 5))):
        paths = [p for p in _paths(doc) if p[0] not in ("apiVersion", "kind")]
        doc = _mutate(doc, data.draw(st.sampled_from(paths)), data.draw(WRONG))
    _run(doc, tmp_path)


def test_digest_is_the_compilers(tmp_path: Path) -> None:
    # The tests re-seal with regctl's own digest, so they keep working if its coverage changes.
    sealed = seal(DOC)
    assert sealed["digest"].startswith(DIGEST_PREFIX)
    assert sealed["digest"] == compute_digest(sealed)


def test_deep_and_non_strict_json_is_invalid_manifest(tmp_path: Path) -> None:
    for body in ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", '{"apiVersion": NaN}'):
        path = tmp_path / "m.json"
        path.write_text(body)
        try:
            Registry.load(path)
        except ClientError:
            continue
        raise AssertionError("loaded")


def test_watch_survives_anything_keeps_last_good_and_loads_next(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", DOC)
    errors: list[str] = []
    changes: list[str] = []
    calls = {"n": 0}

    def on_change(reg: Registry) -> None:
        changes.append(reg.digest)
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a callback bug must not stop the watcher")

    reg = Registry.watch(
        path,
        interval=0.05,
        on_change=on_change,
        on_error=lambda r, e: errors.append(type(e).__name__),
    )
    try:
        good_digest = reg.digest
        bad = [
            _mutate(DOC, ("providers", "openai", "credentials"), 7),
            _mutate(DOC, ("registry", "capabilities"), {"x": 1}),
            _mutate(DOC, ("templates",), []),
        ]
        for doc in bad:
            write_manifest(path, doc)
            _wait(lambda: len(errors) >= 1)
            assert reg.digest == good_digest and reg.resolve("chat").model.key == "openai/gpt-4o"
            errors.clear()
        path.write_text("[" * 200_000)  # deep JSON, not even sealed
        _wait(lambda: len(errors) >= 1)
        assert reg.digest == good_digest
        nxt = _mutate(DOC, ("active", "openai", "chat"), "openai/gpt-4o-mini")
        write_manifest(path, nxt)
        _wait(lambda: reg.digest != good_digest)
        assert reg.resolve("chat").model.key == "openai/gpt-4o-mini"
        third = _mutate(DOC, ("providers", "openai", "display_name"), "Third")
        (tmp_path / "m.json").write_text(dumps_pretty(seal(third)))
        _wait(lambda: len(changes) >= 2)
        assert reg._thread.is_alive()
    finally:
        reg.close()


def _wait(cond: Any, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)
