"""A frontend written for the seed's API, pointed at `regctl serve`: every route of the
seed (asked through Django's test client on the oracle project) against the serve route
docs/migrate-from-django.md maps it to, on a real `regctl serve` process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_module
from tests.interop import django_oracle as o
from tests.serve.serve_fixtures import Server


@pytest.mark.parametrize("seed", ["seed000", "seed003"])
def test_serve_answers_the_seed_api(seed: str, cli: Any, tmp_path: Path) -> None:
    require_module("django")
    require_module("starlette")
    db = tmp_path / "db.sqlite3"
    o.build(db, seed, edges=True)
    report_file = tmp_path / "report.json"
    proc = cli("import", "django", "--database", f"sqlite:///{db}", "-o", str(tmp_path / "reg"),
               "--report", str(report_file))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lock = tmp_path / "lock.json"
    assert cli("compile", str(tmp_path / "reg"), "-o", str(lock)).returncode == 0
    report = json.loads(report_file.read_text())
    ids = report["provider_ids"]
    assert report["providers"] == len(ids)
    noted = {e["path"] for e in report["notes"] if e["reason"] == "pin-not-active"}
    explained = {r["target"].removeprefix("template ") for r in report["rows"] if r["row"] in noted}
    asks = json.loads(o.manage(db, seed, "oracle_api"))
    server = Server(str(lock), tmp_path)
    try:
        http = server.client
        manifest = http.get("/v1/manifest").json()
        differences = []
        for ask in asks:
            route, params, status, body = ask["route"], ask["params"], ask["status"], ask["body"]
            pid = ids.get(params.get("provider", ""))

            def key(model: dict[str, Any]) -> str:
                return f"{ids[model['provider']]}/{model.get('model_id', model['name'])}"

            if route == "/api/providers/":
                want = sorted(
                    ids[p["slug" if seed == "seed003" else "name"]] for p in body["providers"]
                )
                got = sorted(p for p, e in manifest["providers"].items() if e["enabled"])
            elif route.endswith("/models/"):
                ident = route.split("/")[3]
                res = http.get("/v1/models", params={"provider": ids[ident], **params})
                want = sorted({key(m) for m in body["models"]})
                got = sorted(m["key"] for m in res.json()["models"])
            elif route.endswith("/active-model/"):
                ident = route.split("/")[3]
                res = http.get(f"/v1/providers/{ids[ident]}/active", params=params)
                want = (status, key(body) if status == 200 else body)
                got = (res.status_code, res.json()["model"]["key"] if res.status_code == 200
                       else {"error": "no active model"} if res.json()["error"]["code"]
                       == "no_active_model" else res.json())  # fmt: skip
            else:
                q = dict(params)
                if pid is not None:
                    q |= {"provider": pid, "fallback": "false"}
                res = http.get("/v1/resolve", params=q)
                want = (status, key(body) if status == 200 else body)
                got = (res.status_code, res.json()["resolved"]["model"] if res.status_code == 200
                       else {"error": "no active model"} if res.json()["error"]["code"]
                       in ("no_active_model", "unknown_template") else res.json())  # fmt: skip
                if params.get("template") in explained and want != got:
                    continue
            if want != got:
                differences.append((route, params, want, got))
        assert differences == []
        assert len(asks) > 60
    finally:
        server.stop()
