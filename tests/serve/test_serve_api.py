"""`regctl serve` answered over real HTTP by a real uvicorn process on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.serve.serve_fixtures import SECRET, Server

from regctl.client import Registry

ACTIVE = "/v1/providers/{}/active"


def test_active_model_answers_with_the_manifest_digest(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    r = server.get(ACTIVE.format("openai"), params={"capability": "chat"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-regctl-digest"] == doc["digest"]
    body = r.json()
    assert body["digest"] == doc["digest"]
    assert body["model"]["key"] == doc["active"]["openai"]["chat"]
    assert body["model"] == Registry.load(path).active_model("openai", "chat").as_dict()


def test_missing_things_are_404_with_a_json_body_naming_them(server: Server) -> None:
    cases = {
        ("nope", "chat"): "unknown_provider",
        ("openai", "teleport"): "unknown_capability",
        ("openai", "rerank"): "no_active_model",
    }
    for (provider, capability), code in cases.items():
        r = server.get(ACTIVE.format(provider), params={"capability": capability})
        assert r.status_code == 404, r.text
        error = r.json()["error"]
        assert error["code"] == code
        assert error["missing"] == {"provider": provider, "capability": capability}
        assert (provider if code == "unknown_provider" else capability) in error["message"]
    r = server.get("/v1/no/such/route")
    assert r.status_code == 404 and r.json()["error"]["code"] == "http_404"


def test_model_listings_match_the_python_client(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    reg = Registry.load(manifest[0])
    r = server.get("/v1/providers/anthropic/models")
    assert r.status_code == 200
    body = r.json()
    assert body["provider"]["id"] == "anthropic"
    assert "credentials" not in body["provider"]
    assert body["models"] == [m.as_dict() for m in reg.models("anthropic")]
    r = server.get("/v1/models", params={"capability": "chat", "active": "true"})
    keys = [m["key"] for m in r.json()["models"]]
    assert keys == [m.key for m in reg.models(capability="chat", active=True)]
    assert len(keys) >= 2
    r = server.get("/v1/models", params={"active": "false"})
    assert [m["key"] for m in r.json()["models"]] == [m.key for m in reg.models(active=False)]
    r = server.get("/v1/models", params={"active": "maybe"})
    assert r.status_code == 400 and "active" in r.json()["error"]["message"]
    assert server.get("/v1/providers/nope/models").json()["error"]["code"] == "unknown_provider"


def test_resolve_follows_the_client_resolution_order(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    reg = Registry.load(manifest[0])
    for params in [
        {},
        {"capability": "embedding"},
        {"provider": "anthropic"},
        {"model": "openai/gpt-4o-mini"},
    ]:
        r = server.get("/v1/resolve", params=params)
        assert r.status_code == 200, r.text
        expected = reg.resolve(
            params.get("capability", "chat"),
            **{k: v for k, v in params.items() if k != "capability"},
        )
        assert r.json()["resolved"] == expected.as_dict()
    r = server.get("/v1/resolve", params={"template": "nope"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_template"


def test_manifest_bytes_etag_and_304(server: Server, manifest: tuple[Path, dict[str, Any]]) -> None:
    path, doc = manifest
    r = server.get("/v1/manifest")
    assert r.status_code == 200
    assert r.content == path.read_bytes()  # the compiler's canonical bytes, verified
    etag = r.headers["etag"]
    assert etag == f'"{doc["digest"]}"'
    assert r.headers["cache-control"] == "no-cache"
    again = server.get("/v1/manifest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    weak = server.get("/v1/manifest", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    other = server.get("/v1/manifest", headers={"If-None-Match": '"sha256:0"'})
    assert other.status_code == 200


def test_openapi_documents_exactly_the_routes_served(server: Server) -> None:
    doc = server.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in doc["paths"]:
        r = server.get(path.replace("{provider}", "openai"))
        assert r.status_code == 200, path
    metrics = server.get("/metrics").text
    served = {
        line.split('route="')[1].split('"')[0]
        for line in metrics.splitlines()
        if line.startswith("regctl_http_requests_total")
    }
    assert served - {"unmatched"} <= set(doc["paths"])
    assert set(doc["paths"]) - served <= {"/metrics"}  # not yet counted when scraped


def test_key_values_are_never_served_or_logged(tmp_path: Path, server: Server) -> None:
    paths = [
        "/v1/manifest",
        "/v1/models",
        "/v1/providers/openai/models",
        "/v1/providers/openai/active",
        "/v1/resolve?provider=openai",
        "/metrics",
        "/readyz",
        "/openapi.json",
    ]
    for p in paths:
        r = server.get(p)
        assert r.status_code == 200, p
        assert SECRET not in r.text, p
        assert SECRET not in json.dumps(dict(r.headers))
    assert "env:OPENAI_API_KEY" in server.get("/v1/manifest").text  # the reference is fine
    assert server.stop() == 0
    assert SECRET not in server.logs()


def test_metrics_count_requests_by_route_and_status(
    server: Server, manifest: tuple[Path, dict[str, Any]]
) -> None:
    for _ in range(3):
        server.get(ACTIVE.format("openai"))
    server.get(ACTIVE.format("nope"))
    r = server.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = r.text
    assert f'regctl_manifest_info{{digest="{manifest[1]["digest"]}",environment=""}} 1' in text
    assert "regctl_manifest_reloads_total 1\n" in text
    assert "regctl_manifest_reload_failures_total 0\n" in text
    route = 'route="/v1/providers/{provider}/active"'
    assert f'regctl_http_requests_total{{{route},status="200"}} 3\n' in text
    assert f'regctl_http_requests_total{{{route},status="404"}} 1\n' in text


def test_access_log_is_one_json_object_per_line_and_sigterm_is_graceful(server: Server) -> None:
    server.get(ACTIVE.format("openai"), params={"capability": "chat"})
    assert server.stop() == 0
    entries = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    access = [e for e in entries if e["logger"] == "regctl.serve.access"]
    hit = next(e for e in access if e["path"] == "/v1/providers/openai/active")
    assert hit["status"] == 200 and hit["route"] == "/v1/providers/{provider}/active"
    assert hit["query"] == "capability=chat" and hit["duration_ms"] >= 0
    assert entries[-1]["msg"] == "stopped"
    assert any(e["msg"] == "Application shutdown complete." for e in entries)
