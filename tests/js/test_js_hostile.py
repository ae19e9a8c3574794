"""The JavaScript reader against hostile files and servers: the bounds the Python client
keeps (regular files only, a size cap while reading, one deadline per URL load, a body
cap while streaming), URLs masked in errors, NaN/Infinity refused like Python, and
lookups that never reach Object.prototype. Real files, real node processes, real
loopback servers."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLE, ROOT, require_binary, run_cli

from regctl.base.canonical import UNSIGNED_KEYS, dumps_compact, dumps_pretty
from regctl.client import ClientError, Registry

INDEX = (ROOT / "clients" / "js" / "src" / "index.js").as_uri()


def node_load(
    source: str, options: dict[str, Any] | None = None, *, timeout: float = 30
) -> dict[str, Any]:
    """``loadManifest(source, options)`` in a fresh node: ``{"ok": digest}`` or the error."""
    script = f"""
import {{ loadManifest }} from {json.dumps(INDEX)};
const t0 = Date.now();
try {{
  const reg = await loadManifest({json.dumps(source)}, {json.dumps(options or {})});
  console.log(JSON.stringify({{ok: reg.digest, ms: Date.now() - t0}}));
}} catch (err) {{
  const ms = Date.now() - t0;
  console.log(JSON.stringify({{name: err.name, code: err.code, message: err.message, ms}}));
}}
"""
    done = subprocess.run(
        [require_binary("node"), "--input-type=module", "-e", script],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("js-hostile") / "m.json"
    done = run_cli("compile", str(EXAMPLE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)
    got = node_load(str(fifo), timeout=20)  # a reader that waits for a writer never returns
    assert got["name"] == "ManifestNotFound" and "not a regular file" in got["message"]


def test_dev_zero_and_other_devices_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "m.json"
    link.symlink_to("/dev/zero")
    for source in (str(link), "/dev/zero", "/dev/null"):
        got = node_load(source, timeout=20)
        assert got["name"] == "ManifestNotFound" and "not a regular file" in got["message"]


def test_size_cap_on_files(tmp_path: Path, manifest: Path) -> None:
    got = node_load(str(manifest), {"maxBytes": 1000})
    assert got["name"] == "ManifestError" and "larger than 1000 bytes" in got["message"]
    sparse = tmp_path / "big.json"
    with open(sparse, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # over the 256 MiB default: refused before reading
    got = node_load(str(sparse))
    assert got["name"] == "ManifestError" and "(the limit)" in got["message"]
    assert got["ms"] < 5000


class _Hostile(http.server.BaseHTTPRequestHandler):
    body: bytes = b""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/trickle"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(60):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.5)
        elif self.path.startswith("/flood"):
            self.send_response(200)
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            chunk = b" " * 65536
            try:
                for _ in range(2000):  # 128 MiB at most
                    self.wfile.write(chunk)
            except OSError:
                return
        elif self.path.startswith("/declared"):
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)


@pytest.fixture
def hostile(manifest: Path) -> Iterator[str]:
    handler = type("H", (_Hostile,), {"body": manifest.read_bytes()})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_url_loads_have_one_total_deadline_and_a_body_cap(hostile: str) -> None:
    assert node_load(f"{hostile}/good")["ok"].startswith("sha256:")
    got = node_load(f"{hostile}/trickle", {"timeoutMs": 1500})
    # The trickle never stops sending: only a deadline over the whole body ends it.
    assert got["name"] == "ManifestUnavailable" and "deadline" in got["message"]
    assert got["ms"] < 6000
    got = node_load(f"{hostile}/flood", {"maxBytes": 1 << 20})
    assert got["name"] == "ManifestUnavailable" and "larger than" in got["message"]
    got = node_load(f"{hostile}/declared")
    assert got["name"] == "ManifestUnavailable" and "larger than" in got["message"]


def test_url_credentials_never_appear_in_errors(hostile: str) -> None:
    port = hostile.rsplit(":", 1)[1]
    for url in (
        f"http://user:hunter2-secret@127.0.0.1:{port}/declared?token=tok-secret-1",
        "http://127.0.0.1:1/m.json?api_key=key-secret-2",
    ):
        got = node_load(url, {"timeoutMs": 3000})
        assert got["name"] == "ManifestUnavailable", got
        for secret in ("hunter2-secret", "tok-secret-1", "key-secret-2"):
            assert secret not in got["message"], got["message"]


PLACEHOLDER = 1.25


def _sealed_with(doc: dict[str, Any], put: Any, literal: str) -> str:
    """The manifest text with ``literal`` where ``put`` placed :data:`PLACEHOLDER`, its
    digest recomputed over that very text (what an attacker who can write it would do)."""
    body = json.loads(json.dumps(doc))
    put(body)
    unsigned = {k: v for k, v in body.items() if k not in UNSIGNED_KEYS}
    compact = dumps_compact(unsigned).replace(f":{PLACEHOLDER}", f":{literal}")
    body["digest"] = "sha256:" + hashlib.sha256(compact.encode("utf-8")).hexdigest()
    return dumps_pretty(body).replace(f": {PLACEHOLDER}", f": {literal}")


def _variants(doc: dict[str, Any]) -> dict[str, str]:
    """Manifest texts with non-finite numbers, each under a digest that matches it."""

    def extension(body: dict[str, Any]) -> None:
        body["x-number"] = PLACEHOLDER

    def price(body: dict[str, Any]) -> None:
        body["models"]["openai/gpt-4o"]["pricing"]["input_per_mtok"] = PLACEHOLDER

    def default(body: dict[str, Any]) -> None:
        body["providers"]["openai"]["defaults"]["temperature"] = PLACEHOLDER

    literals = {"nan": "NaN", "inf": "Infinity", "minus-inf": "-Infinity",
                "overflow": "1e400", "minus-overflow": "-1e999"}  # fmt: skip
    places = {"extension": extension, "price": price, "default": default}
    return {
        f"{name}-{where}": _sealed_with(doc, put, literal)
        for name, literal in literals.items()
        for where, put in places.items()
    }


def test_the_variants_are_sealed_like_a_manifest(tmp_path: Path, manifest: Path) -> None:
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    path = tmp_path / "fine.json"
    path.write_text(_sealed_with(doc, lambda b: b.update({"x-number": PLACEHOLDER}), "2.5"))
    # With a finite number the same construction loads in both readers: the refusals
    # below are about the numbers, not about the digest.
    assert Registry.load(path).digest == node_load(str(path))["ok"]


def test_bytes_python_refuses_javascript_refuses(tmp_path: Path, manifest: Path) -> None:
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    for name, text in _variants(doc).items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        try:
            reg = Registry.load(path)
            for m in reg.models():  # a lazy check counts: what a caller would hit
                m.pricing  # noqa: B018
            python = "ok"
        except ClientError as exc:
            python = type(exc).__name__
        js = node_load(str(path))
        assert python == "InvalidManifest", (name, python)
        assert js.get("name") == "InvalidManifest", (name, python, js)


def test_lookups_never_reach_the_object_prototype(manifest: Path) -> None:
    script = f"""
import {{ loadManifest }} from {json.dumps(INDEX)};
const reg = await loadManifest({json.dumps(str(manifest))});
const out = {{}};
for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {{
  for (const [what, fn] of [
    ["capability", () => reg.resolve({{ capability: name }})],
    ["provider", () => reg.resolve({{ provider: name }})],
    ["template", () => reg.resolve({{ template: name }})],
    ["model", () => reg.model(name)],
    ["active", () => reg.activeModel("openai", name)],
    ["active-provider", () => reg.activeModel(name, "chat")],
    ["models", () => reg.models({{ provider: name }})],
  ]) {{
    const key = `${{what}}:${{name}}`;
    try {{ fn(); out[key] = "ok"; }} catch (err) {{ out[key] = err.name; }}
  }}
}}
console.log(JSON.stringify(out));
"""
    done = subprocess.run(
        [require_binary("node"), "--input-type=module", "-e", script],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    want = {"capability": "UnknownCapability", "provider": "UnknownProvider",
            "template": "UnknownTemplate", "model": "UnknownModel",
            "active": "UnknownCapability", "active-provider": "UnknownProvider",
            "models": "UnknownProvider"}  # fmt: skip
    for key, value in got.items():
        assert value == want[key.split(":")[0]], (key, value)
