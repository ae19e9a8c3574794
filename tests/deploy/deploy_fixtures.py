"""Sealed manifests for plan/apply tests (imported by the tests in this folder)."""

from __future__ import annotations

import copy
import hashlib
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import regctl as regctl_pkg
from regctl.base.canonical import dumps_pretty, seal

SECRET = "sk-proj-" + "Zq8" * 16


#: Key variables the example registry and the fixtures reference, all set to SECRET.
SECRET_VARS = ("OPENAI_API_KEY", "OPENAI_API_KEY_PRIMARY", "ANTHROPIC_API_KEY", "XAI_API_KEY")


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: this checkout's sources, keys set to SECRET."""
    # Subprocesses run elsewhere (cwd=tmp_path): point them at this checkout's sources.
    src = str(Path(regctl_pkg.__file__).resolve().parents[1])
    path = os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=path)
    env.update(dict.fromkeys(SECRET_VARS, SECRET), **extra)
    env.pop("REGCTL_DEBUG", None)
    return env


def regctl(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m regctl ARGS`` in ``cwd`` with stdin closed (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        env=cli_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _model(provider: str, mid: str, active: list[str], price: float = 1.0) -> dict[str, Any]:
    return {
        "provider": provider,
        "id": mid,
        "upstream_id": mid,
        "display_name": mid.upper(),
        "capabilities": ["chat", "code"],
        "active": active,
        "supports": {"streaming": True},
        "defaults": {},
        "pricing": {"input_per_mtok": price, "output_per_mtok": price * 4, "currency": "USD"},
    }


def build_manifest(
    env: str | None = "prod", extra_models: int = 0, **changes: Any
) -> dict[str, Any]:
    """A sealed manifest shaped like docs/manifest.md; ``changes`` override top-level keys."""
    providers = {
        "openai": {
            "id": "openai",
            "display_name": "OpenAI",
            "api": "openai",
            "base_url": "https://api.openai.com/v1",
            "enabled": True,
            "credentials": ["env:OPENAI_API_KEY"],
            "allow_shared_credentials": True,
            "defaults": {},
        },
        "anthropic": {
            "id": "anthropic",
            "display_name": "Anthropic",
            "api": "anthropic",
            "base_url": "https://api.anthropic.com",
            "enabled": True,
            "credentials": ["env:ANTHROPIC_API_KEY"],
            "allow_shared_credentials": True,
            "defaults": {},
        },
    }
    models = {
        "openai/gpt-4o": _model("openai", "gpt-4o", ["chat"], 2.5),
        "openai/gpt-4o-mini": _model("openai", "gpt-4o-mini", [], 0.15),
        "anthropic/claude": _model("anthropic", "claude", ["chat"], 3.0),
    }
    for i in range(extra_models):
        models[f"openai/bulk-{i:05d}"] = _model("openai", f"bulk-{i:05d}", [], 1.0 + i % 7)
    doc: dict[str, Any] = {
        "apiVersion": "regctl/v1",
        "kind": "Manifest",
        "environment": env,
        "source": {"digest": "sha256:" + "0" * 64, "commit": None},
        "registry": {
            "name": "test",
            "capabilities": ["chat", "code"],
            "secret_schemes": [],
            "policy": {"deprecation_warning_days": 30},
        },
        "providers": providers,
        "models": models,
        "active": {"openai": {"chat": "openai/gpt-4o"}, "anthropic": {"chat": "anthropic/claude"}},
        "defaults": {"chat": "openai"},
        "fallbacks": {"chat": ["anthropic"]},
        "templates": {},
    }
    doc.update(copy.deepcopy(changes))
    return seal(doc)


def switch_active(doc: dict[str, Any]) -> dict[str, Any]:
    """``openai chat: gpt-4o -> gpt-4o-mini`` (a new sealed manifest)."""
    new = copy.deepcopy(doc)
    new["models"]["openai/gpt-4o"]["active"] = []
    new["models"]["openai/gpt-4o-mini"]["active"] = ["chat"]
    new["active"]["openai"]["chat"] = "openai/gpt-4o-mini"
    return seal(new)


def text_of(doc: dict[str, Any]) -> str:
    return dumps_pretty(doc)


class TargetServer:
    """A small HTTP target: GET/PUT one manifest with ETag / If-Match / If-None-Match.

    ``fail`` makes the next N requests answer 500 (``fail = -1``: always);
    ``requests`` records (method, headers) of what it was sent.
    """

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.fail = 0
        self.honour_etag = True
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            # Like a real web server or CDN: keep-alive connections, 304 for a current ETag.
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _failing(self) -> bool:
                with server.lock:
                    server.requests.append((self.command, dict(self.headers)))
                    if server.fail:
                        server.fail -= 1 if server.fail > 0 else 0
                        # Echo the Authorization header: regctl must never show bodies.
                        body = f"boom {self.headers.get('Authorization')}".encode()
                        self.send_response(500)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return True
                return False

            def do_GET(self) -> None:
                if self._failing():
                    return
                with server.lock:
                    body = server.body
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.honour_etag and self.headers.get("If-None-Match") == server.etag():
                    self.send_response(304)
                    self.send_header("ETag", server.etag())
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                if server.honour_etag:
                    self.send_header("ETag", server.etag())
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self._failing():
                    return
                with server.lock:
                    match = self.headers.get("If-Match")
                    none_match = self.headers.get("If-None-Match")
                    ok = True
                    if match is not None:
                        ok = server.body is not None and match == server.etag()
                    if none_match == "*" and server.body is not None:
                        ok = False
                    if ok:
                        server.body = data
                self.send_response(204 if ok else 412)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/regctl/prod.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body or b"").hexdigest()[:16] + '"'
