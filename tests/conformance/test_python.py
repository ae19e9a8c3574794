"""The Python client (regctl.client) runs every conformance case, in process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conformance.conftest import CASES
from tests.conformance.contract import (
    KEY_VARS,
    Case,
    candidates_answer,
    check,
    for_reader,
    manifest_of,
    resolved_answer,
)

from regctl.client import ClientError, Registry


def answer(reg: Registry, case: Case, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    q = dict(case.query)
    try:
        if case.ask == "resolve":
            return resolved_answer(reg.resolve(**q).as_dict())
        if case.ask == "candidates":
            return candidates_answer([r.as_dict() for r in reg.candidates(**q)])
        if case.ask == "models":
            return {"models": [m.key for m in reg.models(**q)]}
        if case.ask == "active":
            m = reg.active_model(q["provider"], q["capability"])
            if m is None:
                return {"error": "no_active_model"}
            return {"model": m.key}
        if case.ask == "key":
            for name in KEY_VARS:
                monkeypatch.delenv(name, raising=False)
            for name, value in case.keys_env.items():
                monkeypatch.setenv(name, value)
            p = reg.provider(q["provider"])
            shared = p.allow_shared_credentials
            try:
                key = p.api_key("personal-key" if q["personal"] else None, group=q.get("group"))
            except ClientError as exc:
                return {"error": exc.code, "shared": shared, "message": str(exc)}
            return {"source": key.source, "shared": shared}
    except ClientError as exc:
        return {"error": exc.code, "message": str(exc)}
    raise AssertionError(f"unknown ask {case.ask!r}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_python_client(
    case: Case, manifests: dict[tuple[str, str | None], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = manifest_of(case, manifests)
    if case.ask == "load":
        try:
            Registry.load(path, locale=case.lang)
        except ClientError as exc:
            got = {"error": exc.code, "message": str(exc)}
        else:
            got = {"loaded": True}
        check(for_reader(case, path), got, reader="python")
        return
    reg = Registry.load(path, locale=case.lang)
    check(case, answer(reg, case, monkeypatch), reader="python")
