"""`regctl serve` runs every conformance case over real HTTP: one real uvicorn process per
manifest on a loopback port (/v1/resolve, /v1/candidates, the listing routes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conformance.conftest import CASES
from tests.conformance.contract import (
    Case,
    candidates_answer,
    check,
    for_reader,
    manifest_of,
    resolved_answer,
)
from tests.serve.serve_fixtures import Server


def query_params(q: dict[str, Any]) -> list[tuple[str, str]]:
    """The HTTP spelling of a query (docs/resolution.md, "Inputs")."""
    out: list[tuple[str, str]] = []
    for name, value in q.items():
        if name in ("params", "needs"):
            key = "param" if name == "params" else "need"
            for k, v in value.items():
                text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                out.append((key, f"{k}={text}"))
        elif isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        else:
            out.append((name, str(value)))
    return out


@pytest.fixture(scope="module")
def servers(
    manifests: dict[tuple[str, str | None], Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple[str, str | None], Server]]:
    tmp = tmp_path_factory.mktemp("conformance-serve")
    started = {key: Server(str(path), tmp, interval=60) for key, path in manifests.items()}
    yield started
    for srv in started.values():
        srv.stop()


def _error(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code in (400, 404), resp.text
    body = resp.json()["error"]
    return {"error": body["code"], "message": body["message"]}


def answer(srv: Server, case: Case) -> dict[str, Any]:
    q = dict(case.query)
    lang = [("lang", case.lang)]
    if case.ask in ("resolve", "candidates"):
        resp = srv.get(f"/v1/{case.ask}", params=query_params(q) + lang)
        assert resp.headers["content-language"] == case.lang, resp.headers
        if resp.status_code != 200:
            return _error(resp)
        body = resp.json()
        if case.ask == "candidates":
            return candidates_answer(body["candidates"])
        return resolved_answer(body["resolved"])
    if case.ask == "models":
        flat = srv.get("/v1/models", params=query_params(q) + lang)
        got = (
            _error(flat)
            if flat.status_code != 200
            else {"models": [m["key"] for m in flat.json()["models"]]}
        )
        if q.get("provider") is not None:
            # The by-provider route filters exactly like /v1/models?provider=.
            rest = {k: v for k, v in q.items() if k != "provider"}
            by = srv.get(f"/v1/providers/{q['provider']}/models", params=query_params(rest) + lang)
            by_got = (
                _error(by)
                if by.status_code != 200
                else {"models": [m["key"] for m in by.json()["models"]]}
            )
            assert by_got == got, (by_got, got)
        return got
    if case.ask == "active":
        resp = srv.get(
            f"/v1/providers/{q['provider']}/active",
            params=[("capability", q["capability"]), *lang],
        )
        return _error(resp) if resp.status_code != 200 else {"model": resp.json()["model"]["key"]}
    if case.ask == "key":
        # serve never resolves a key: it says whether shared keys are allowed, never where
        # they are (docs/resolution.md, "Keys"); the rest of the case is the readers' that do.
        resp = srv.get(f"/v1/providers/{q['provider']}/models")
        summary = resp.json()["provider"]
        assert "credentials" not in summary and "env:" not in resp.text
        return {"shared": summary["allow_shared_credentials"]}
    raise AssertionError(f"unknown ask {case.ask!r}")


def load_answer(case: Case, path: Path, tmp: Path) -> dict[str, Any]:
    """serve starts with a manifest it cannot load (it keeps retrying): /readyz answers
    503 with the load error's code and message, in ``?lang=``."""
    srv = Server(str(path), tmp, interval=60, ready=False)
    try:
        lang = [("lang", case.lang)]

        def failed() -> bool:
            body = srv.get("/readyz", params=lang).json()
            return body.get("ready") is True or body.get("code") is not None

        srv.wait_for(failed, timeout=20)
        resp = srv.get("/readyz", params=lang)
        if resp.status_code == 200:
            return {"loaded": True}
        assert resp.status_code == 503, resp.text
        assert resp.headers["content-language"] == case.lang, resp.headers
        body = resp.json()
        return {"error": body["code"], "message": body["error"]}
    finally:
        srv.stop()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_serve(
    case: Case,
    servers: dict[tuple[str, str | None], Server],
    manifests: dict[tuple[str, str | None], Path],
    tmp_path: Path,
) -> None:
    if case.ask == "load":
        path = manifest_of(case, manifests)
        check(for_reader(case, path), load_answer(case, path, tmp_path), reader="serve")
        return
    got = answer(servers[(case.registry, case.env)], case)
    if case.ask == "key":
        assert got == {"shared": case.expect["shared"]}, (case.id, got)
        return
    check(case, got, reader="serve")
