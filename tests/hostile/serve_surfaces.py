"""Surfaces of the hostile *client* family: the servers regctl runs (``regctl serve``).

A client-family drive starts the server and returns it running (:class:`Served`);
``test_hostile_clients.py`` points every attack of ``clients.py`` at it.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.clients import HEAD_TIMEOUT
from tests.hostile.peers import HostilePeer
from tests.hostile.surfaces import MINIMAL, Place, T, manifest, refused, surface
from tests.serve.serve_fixtures import Server, compile_example

#: The descriptor limit the served process runs with (the report: 1,100 half-sent
#: requests locked every client out at 1024).
NOFILE = 1024


class Served:
    """A running server: its address and process, a well-behaved request, its logs."""

    def __init__(self, server: Server, path: str) -> None:
        self.server = server
        self.addr = ("127.0.0.1", server.port)
        self.pid = server.proc.pid
        self.path = path

    def answers(self) -> bool:
        import httpx

        with httpx.Client(base_url=self.server.url, timeout=5) as fresh:
            return fresh.get(self.path).status_code == 200

    def logs(self) -> str:
        return self.server.logs()

    def stop(self) -> int:
        return self.server.stop()


@surface(
    "serve.http",
    "client",
    "regctl.serve.protocol",
    "regctl.serve.app",
    "regctl.serve.runner",
    "regctl.io.listen",
)
def _serve_http(tmp: Path) -> Served:
    manifest = tmp / "manifest.lock.json"
    compile_example(manifest)
    args = ("--head-timeout", str(HEAD_TIMEOUT), "--keep-alive-timeout", "2")
    server = Server(str(manifest), tmp, nofile=NOFILE, args=args)
    return Served(server, "/v1/providers/openai/active?capability=chat")


# -- the static export: a reader of manifests, a writer to S3 ------------------------------
@surface("export.static-file", "file", "regctl.serve.export_static")
def _export_static_file(place: Place, tmp: Path) -> str:
    from regctl.client import ManifestError
    from regctl.serve.export_static import export_static

    path = tmp / "manifest.lock.json"
    place(path)
    return refused(ManifestError, lambda: export_static(str(path), tmp / "out", timeout=T))


@surface("export.static-url", "peer", "regctl.serve.export_static")
def _export_static_url(peer: HostilePeer, tmp: Path) -> str:
    from regctl.client import ManifestError
    from regctl.serve.export_static import export_static

    source = f"{peer.origin}/m.json"
    return refused(ManifestError, lambda: export_static(source, tmp / "out", timeout=T))


@surface("export.static-s3", "peer", "regctl.deploy.static_publish")
def _export_static_s3(peer: HostilePeer, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.deploy.static_publish import publish_s3
    from regctl.serve.export_static import export_static

    text, _digest = manifest()
    source = tmp / "m.json"
    source.write_text(text, encoding="utf-8")
    done = export_static(str(source), tmp / "out")
    uri = f"s3://bucket/api?endpoint={peer.origin}"
    return refused(RegctlError, lambda: publish_s3(tmp / "out", done.root, uri, timeout=T))


# -- the web console: serve's /ui/ pages, and the registry files "propose" reads ------------
@surface(
    "serve.console",
    "client",
    "regctl.console.app",
    "regctl.console.page",
    "regctl.console.web",
)
def _serve_console(tmp: Path) -> Served:
    """The same server with its console on (the default on loopback): every attack is
    pointed at it, and the models page must still answer afterwards."""
    manifest = tmp / "manifest.lock.json"
    compile_example(manifest)
    args = ("--head-timeout", str(HEAD_TIMEOUT), "--keep-alive-timeout", "2", "--ui")
    server = Server(str(manifest), tmp, nofile=NOFILE, args=args)
    return Served(server, "/ui/models?q=gpt")


@surface("console.propose", "file", "regctl.console.propose")
def _console_propose(place: Place, tmp: Path) -> str:
    """ "Propose a change" reads the registry's YAML to edit it in memory: a hostile
    provider file is one documented error, shown on the page, never a hang."""
    import shutil

    from regctl.base.errors import RegctlError
    from regctl.console.propose import make_proposal

    registry = tmp / "registry"
    shutil.copytree(MINIMAL, registry)
    (registry / "providers" / "acme.yaml").unlink()
    place(registry / "providers" / "acme.yaml")
    return refused(RegctlError, lambda: make_proposal(registry, "acme/acme-small", "chat", None))
