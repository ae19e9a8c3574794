"""`regctl export static` served by a real nginx answers every route with serve's bytes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, require_binary, run_cli
from tests.nginx_server import Nginx
from tests.serve.serve_fixtures import Server, variant, write

from regctl.base.canonical import seal


def _export(manifest: Path, out: Path) -> dict[str, Any]:
    done = run_cli("export", "static", str(manifest), "-o", str(out))
    assert done.returncode == 0, done.stderr
    current = json.loads((out / "current.json").read_bytes())
    index = json.loads((out / current["index"]).read_bytes())
    return {"current": current, "index": index}


def _with_persian_names(doc: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(doc))
    body["models"][doc["active"]["openai"]["chat"]]["display_names"] = {"fa": "جی‌پی‌تی ۴o"}
    body["providers"]["openai"]["display_names"] = {"fa": "اوپن‌اِی‌آی"}
    return seal(body)


def test_nginx_on_the_export_answers_every_route_with_serves_bytes(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    require_binary("nginx", hint="apt-get install nginx-light (scripts/install-test-deps.sh)")
    path, doc = manifest
    doc = _with_persian_names(doc)
    write(path, doc)
    server = Server(str(path), tmp_path)
    out = tmp_path / "public"
    exported = _export(path, out)
    current, index = exported["current"], exported["index"]
    assert current["digest"] == doc["digest"] == index["digest"]
    assert current["root"] == doc["digest"].replace(":", "-") + "/"
    routes = index["routes"]
    # Every kind of answer, per locale too (the example registry has Persian names).
    for needle in (
        "/v1/manifest",
        "/v1/providers/openai/active?capability=chat",
        "/v1/providers/openai/models",
        "/v1/models?provider=openai&capability=chat&active=true",
        "/v1/resolve?capability=chat&provider=anthropic",
        "/v1/providers/openai/active?capability=chat&lang=fa",
    ):
        assert needle in routes, needle
    assert "fa" in index["locales"]
    nginx = Nginx(out, tmp_path)
    try:
        status, body, headers = nginx.get("/current.json")
        assert status == 200 and json.loads(body) == current
        assert headers["Content-Type"] == "application/json"
        for target, file in routes.items():
            got_status, got, _ = nginx.get("/" + current["root"] + file)
            want = server.get(target)
            assert got_status == 200 and want.status_code == 200, target
            assert got == want.content, target
        # A route serve answers 404 has no file: the static host's 404.
        assert server.get("/v1/providers/openai/active?capability=rerank").status_code == 404
        missing = "/" + current["root"] + "v1/providers/openai/active/rerank.json"
        assert nginx.get(missing)[0] == 404
        fa = routes["/v1/providers/openai/active?capability=chat&lang=fa"]
        assert fa.startswith("lang/fa/")
        assert json.loads(nginx.get("/" + current["root"] + fa)[1])["model"]["display_name"] == (
            "جی‌پی‌تی ۴o"
        )
    finally:
        nginx.stop()
        server.stop()


def test_a_new_manifest_gets_a_new_root_and_current_moves_last(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    out = tmp_path / "public"
    first = _export(path, out)["current"]
    new = variant(doc, "openai/gpt-4o-mini")
    write(path, new)
    second = _export(path, out)["current"]
    assert second["digest"] == new["digest"] != first["digest"]
    old_root, new_root = out / first["root"], out / second["root"]
    assert old_root.is_dir() and new_root.is_dir()  # readers mid-switch keep working
    chat = json.loads((new_root / "v1/providers/openai/active/chat.json").read_bytes())
    assert chat["model"]["key"] == "openai/gpt-4o-mini" and chat["digest"] == new["digest"]
    again = _export(path, out)["current"]  # same manifest: same bytes, nothing rewritten
    assert again == second
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_tampered_manifest_is_not_exported(tmp_path: Path, manifest: Any) -> None:
    path, _doc = manifest
    path.write_text(path.read_text().replace('"gpt-4o"', '"evil"', 1))
    done = run_cli("export", "static", str(path), "-o", str(tmp_path / "out"))
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "digest" in done.stderr.lower()
    assert not (tmp_path / "out" / "current.json").exists()


JS_READER = """
import { loadManifest } from "./src/index.js";
const base = process.argv[2];
const current = await (await fetch(base + "/current.json")).json();
const reg = await loadManifest(base + "/" + current.root + "v1/manifest.json");
const active = await (await fetch(base + "/" + current.root
  + "v1/providers/openai/active/chat.json")).json();
console.log(JSON.stringify({
  digest: reg.digest, current: current.digest, answer: active.digest,
  key: reg.activeModel("openai", "chat").key, answerKey: active.model.key,
}));
"""


def test_the_js_reader_and_curl_read_the_export_as_documented(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    require_binary("nginx", hint="apt-get install nginx-light (scripts/install-test-deps.sh)")
    node = require_binary("node")
    curl = require_binary("curl")
    path, doc = manifest
    out = tmp_path / "public"
    _export(path, out)
    nginx = Nginx(out, tmp_path)
    try:
        script = ROOT / "clients" / "js" / f".static-export-check-{nginx.port}.mjs"
        script.write_text(JS_READER)
        try:
            done = subprocess.run(
                [node, str(script), nginx.url],
                cwd=script.parent, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
        finally:
            script.unlink()
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        assert seen["digest"] == seen["current"] == seen["answer"] == doc["digest"]
        assert seen["key"] == seen["answerKey"] == doc["active"]["openai"]["chat"]
        # docs/serve.md: curl current.json, then the route file under its root.
        root = json.loads(
            subprocess.run([curl, "-sf", f"{nginx.url}/current.json"],
                           capture_output=True, check=True).stdout
        )["root"]  # fmt: skip
        body = subprocess.run(
            [curl, "-sf", f"{nginx.url}/{root}v1/providers/openai/active/chat.json"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert json.loads(body)["model"]["key"] == doc["active"]["openai"]["chat"]
    finally:
        nginx.stop()
