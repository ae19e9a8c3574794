"""The table of surfaces: every reader and writer of regctl, and how to drive it.

A surface is one place where bytes from outside come in (or go out): a manifest the
client loads, a target ``plan`` reads, the stream a watcher follows. Each entry
says which family of hostile input applies (``peer``: regctl talks to a hostile
server; ``file``: regctl reads a hostile file), which source modules it covers (the
meta-test in ``test_surface_coverage.py`` fails for a module that does I/O and is covered by
no surface), and a ``drive`` function that points the surface at the hostile input
and returns what the user is told: the error message (or, for a surface that may
tolerate an input by design, a word saying so).

Adding a surface is one decorated function::

    @surface("client.usage-file", "file", "regctl.client.usage_jsonl")
    def _usage_file(place: Place, tmp: Path) -> str:
        path = tmp / "usage.jsonl"
        place(path)                     # the hostile thing, where the surface reads
        return refused(SpendError, lambda: read_usage(path))

``peer`` drives get a :class:`~peers.HostilePeer` instead of ``place`` and must give
up within :data:`T` seconds (the timeout they pass) plus the surface's ``slack``.
Every drive runs under the invariants of ``invariants.py``: done in time, in bounded
memory, a one-line printable message with no traceback, no
``internal error``, no exception class name of a crash, and no credential.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.hostile.peers import WRONG_JSON, HostilePeer

#: The timeout every peer drive passes (seconds): the deadline under test.
T = 0.5
#: A minimal valid registry (copied, then a hostile file is put into it).
MINIMAL = Path(__file__).resolve().parent.parent / "cases" / "valid" / "minimal"

Place = Callable[[Path], None]


@dataclass(frozen=True)
class Surface:
    """One reader or writer and how to drive it (see the module documentation)."""

    name: str
    family: str
    modules: tuple[str, ...]
    drive: Callable[..., str]
    #: Seconds beyond :data:`T` the drive may take: a boto3 client's creation, and a
    #: machine shared by many jobs (a woken thread can wait seconds for a CPU). A hang is
    #: minutes or forever (a trickle of 100,000 bytes at 10 a second), so this still
    #: tells a bounded surface from an unbounded one.
    slack: float = 6.0
    #: Inputs this surface may accept by design, each with the reason.
    tolerates: dict[str, str] = field(default_factory=dict)


#: Surface name -> surface. Filled by :func:`surface`; other modules register theirs too.
SURFACES: dict[str, Surface] = {}


def surface(
    name: str,
    family: str,
    *modules: str,
    slack: float = 6.0,
    tolerates: dict[str, str] | None = None,
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register ``drive`` as surface ``name`` of ``family`` covering ``modules``."""

    def register(drive: Callable[..., str]) -> Callable[..., str]:
        assert name not in SURFACES, f"surface {name} registered twice"
        SURFACES[name] = Surface(name, family, modules, drive, slack, tolerates or {})
        return drive

    return register


def refused(
    errors: type[BaseException] | tuple[type[BaseException], ...], run: Callable[[], Any]
) -> str:
    """Run ``run``; the message of the documented error it raised, or ``""`` if none."""
    try:
        run()
    except errors as exc:
        return str(exc)
    return ""


def family(name: str) -> list[Surface]:
    """The surfaces of one family, in table order."""
    return [s for s in SURFACES.values() if s.family == name]


# -- a manifest to write ----------------------------------------------------------------
def manifest() -> tuple[str, str]:
    """(text, digest) of a small valid manifest."""
    from tests.client.client_fixtures import base_doc

    from regctl.base.canonical import dumps_pretty, seal

    doc = seal(base_doc())
    return dumps_pretty(doc), str(doc["digest"])


# -- the Python client ------------------------------------------------------------------
@surface(
    "client.http",
    "peer",
    "regctl.client._fetch",
    "regctl.client._load",
    "regctl.client.registry",
    "regctl.io.safehttp",
    "regctl.io.urls",
    "regctl.io.deadline",
)
def _client_http(peer: HostilePeer, tmp: Path) -> str:
    from regctl.client import ManifestError, Registry

    return refused(
        ManifestError, lambda: Registry.load(f"{peer.origin}/m.json", timeout=T, cache=False)
    )


@surface("client.s3", "peer", "regctl.client._s3", "regctl.io.tls")
def _client_s3(peer: HostilePeer, tmp: Path) -> str:
    from regctl.client import ManifestError, Registry

    source = f"s3://bucket/m.json?endpoint={peer.origin}"
    return refused(ManifestError, lambda: Registry.load(source, timeout=T, cache=False))


@surface("client.etcd", "peer", "regctl.client._etcd", "regctl.io.jsondoc", "regctl.io.gz")
def _client_etcd(peer: HostilePeer, tmp: Path) -> str:
    from regctl.client import ManifestError, Registry

    source = f"etcd://{peer.netloc}/regctl/m"
    return refused(ManifestError, lambda: Registry.load(source, timeout=T, cache=False))


@surface("client.etcd-watch", "peer", "regctl.client._watch", "regctl.io.stream", slack=7.0)
def _client_etcd_watch(peer: HostilePeer, tmp: Path) -> str:
    """One watch stream, stopped after a while: it must end at once, whatever the peer does."""
    from regctl.client import _etcd, _watch
    from regctl.io import jsondoc, safehttp

    base, key = _etcd.parse_uri(f"etcd://{peer.netloc}/regctl/m")
    stop = _watch.Stopper()
    said: list[str] = []
    crashed: list[BaseException] = []

    def follow() -> None:
        try:
            for _ in _watch._events(base, key, None, stop, T):
                said.append("an event")
            said.append("the stream ended")
        except (safehttp.HttpError, _etcd.EtcdError, jsondoc.BadJson, OSError) as exc:
            said.append(str(exc))
        except BaseException as exc:  # reported to the test as the crash it is
            crashed.append(exc)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    thread.join(T + 1.0)
    stop.set()
    thread.join(5.0)
    assert not thread.is_alive(), "the watch stream did not end when stopped"
    if crashed:
        raise crashed[0]
    return said[0] if said else "idle until stopped"


@surface("client.manifest-file", "file", "regctl.client._fetch", "regctl.io.safeio")
def _client_manifest_file(place: Place, tmp: Path) -> str:
    from regctl.client import ManifestError, Registry

    path = tmp / "manifest.lock.json"
    place(path)
    return refused(ManifestError, lambda: Registry.load(path))


# -- serve's watcher (driven directly) ---------------------------------------------------
def _watcher_error(source: str, timeout: float) -> str:
    from regctl.serve.watcher import ManifestWatcher

    watcher = ManifestWatcher(source, timeout=timeout)
    assert watcher.poll() is False, "the watcher served a hostile manifest"
    return watcher.last_error or ""


@surface("serve.watcher", "peer", "regctl.serve.watcher")
def _serve_watcher(peer: HostilePeer, tmp: Path) -> str:
    return _watcher_error(f"{peer.origin}/m.json", T)


@surface("serve.watcher-file", "file", "regctl.serve.watcher")
def _serve_watcher_file(place: Place, tmp: Path) -> str:
    path = tmp / "manifest.lock.json"
    place(path)
    return _watcher_error(str(path), 10.0)


# -- registry files ---------------------------------------------------------------------
@surface(
    "registry.file",
    "file",
    "regctl.pipeline.source",
    "regctl.pipeline.source_guard",
    "regctl.pipeline.parse",
)
def _registry_file(place: Place, tmp: Path) -> str:
    from regctl.pipeline.source import load_registry

    root = tmp / "reg"
    shutil.copytree(MINIMAL, root)
    place(root / "providers" / "hostile.yaml")
    found = load_registry(root, allow_outside=True).problems
    mine = [p.message for p in found if p.location.file.endswith("hostile.yaml")]
    return mine[0] if mine else ""


# -- deploy targets -----------------------------------------------------------------------
def read_deployed(read: Callable[[], Any]) -> str:
    """A target read: its error, or what ``plan`` says about the bytes it got."""
    from regctl.base.errors import RegctlError

    got: list[Any] = []
    message = refused(RegctlError, lambda: got.append(read()))
    if message or not got:
        return message
    deployed = got[0]
    if deployed.exists and deployed.problem is None and not deployed.digest_ok:
        return "the digest does not match the content"
    return deployed.problem or ""


def _targets() -> tuple[Any, Any]:
    from regctl.base.errors import RegctlError
    from regctl.deploy.targets.base import Deployed

    return Deployed, RegctlError


@surface("target.http.read", "peer", "regctl.deploy.targets.http", "regctl.deploy.targets.policy")
def _http_read(peer: HostilePeer, tmp: Path) -> str:
    from regctl.deploy.targets.http import HttpTarget

    target = HttpTarget(f"{peer.origin}/m.json", timeout=T, backoff=0.05)
    return read_deployed(target.read)


_STORED = "a 200 answer to the PUT means the server stored the manifest; its body is not read"


@surface(
    "target.http.write",
    "peer",
    "regctl.deploy.targets.http",
    tolerates={f"json-{name}": _STORED for name in WRONG_JSON},
)
def _http_write(peer: HostilePeer, tmp: Path) -> str:
    from regctl.deploy.targets.http import HttpTarget

    deployed, err = _targets()
    text, digest = manifest()
    target = HttpTarget(f"{peer.origin}/m.json", timeout=T, backoff=0.05)
    return refused(err, lambda: target.write(text, digest, expected=deployed(None)))


def _s3(peer: HostilePeer) -> Any:
    from regctl.deploy.targets.s3 import S3Target

    return S3Target(f"s3://bucket/m.json?endpoint={peer.origin}", timeout=T, operator=True)


@surface("target.s3.read", "peer", "regctl.deploy.targets.s3", "regctl.deploy.targets.s3_wire")
def _s3_read(peer: HostilePeer, tmp: Path) -> str:
    return read_deployed(lambda: _s3(peer).read())


@surface("target.s3.write", "peer", "regctl.deploy.targets.s3")
def _s3_write(peer: HostilePeer, tmp: Path) -> str:
    deployed, err = _targets()
    text, digest = manifest()
    return refused(err, lambda: _s3(peer).write(text, digest, expected=deployed(None)))


@surface("target.s3.history", "peer", "regctl.deploy.targets.s3")
def _s3_history(peer: HostilePeer, tmp: Path) -> str:
    return refused(_targets()[1], lambda: _s3(peer).history())


def _etcd(peer: HostilePeer) -> Any:
    from regctl.deploy.targets.etcd import EtcdTarget

    return EtcdTarget(f"etcd://{peer.netloc}/regctl/m", timeout=T, operator=True)


_ABSENT = "an answer without kvs is etcd's way of saying the key is absent"
_NOT_OURS = "log entries that are not regctl's (no sha256 digest) are skipped"


@surface(
    "target.etcd.read",
    "peer",
    "regctl.deploy.targets.etcd",
    tolerates={"json-empty-object": _ABSENT},
)
def _etcd_read(peer: HostilePeer, tmp: Path) -> str:
    return read_deployed(lambda: _etcd(peer).read())


@surface("target.etcd.write", "peer", "regctl.deploy.targets.etcd")
def _etcd_write(peer: HostilePeer, tmp: Path) -> str:
    deployed, err = _targets()
    text, digest = manifest()
    return refused(err, lambda: _etcd(peer).write(text, digest, expected=deployed(None)))


@surface(
    "target.etcd.history",
    "peer",
    "regctl.deploy.targets.etcd",
    tolerates={"json-empty-object": _ABSENT, "json-pointer-bad-chunks": _NOT_OURS},
)
def _etcd_history(peer: HostilePeer, tmp: Path) -> str:
    return refused(_targets()[1], lambda: _etcd(peer).history())


@surface("target.file.read", "file", "regctl.deploy.targets.file")
def _file_read(place: Place, tmp: Path) -> str:
    from regctl.deploy.targets.file import FileTarget

    path = tmp / "manifest.lock.json"
    place(path)
    return read_deployed(FileTarget(path).read)


_LOG_LINES = "malformed history lines are skipped by design (a torn last line after a crash)"


@surface(
    "target.file.history",
    "file",
    "regctl.deploy.targets.file",
    tolerates={"nul-flood": _LOG_LINES, "invalid-utf8": _LOG_LINES},
)
def _file_history(place: Place, tmp: Path) -> str:
    from regctl.deploy.targets.file import FileTarget

    target = FileTarget(tmp / "manifest.lock.json")
    target.history_dir.mkdir()
    place(target.history_dir / "log.jsonl")
    return refused(_targets()[1], target.history)


@surface(
    "target.file.write",
    "file",
    "regctl.deploy.targets.file",
    "regctl.io.fsutil",
    tolerates={
        "nul-flood": _LOG_LINES,
        "invalid-utf8": _LOG_LINES,
        "sparse-2gib": "apply appends a line to the log without reading it",
    },
)
def _file_write(place: Place, tmp: Path) -> str:
    """apply appends to the history log: a hostile thing there must not hang or crash it."""
    from regctl.deploy.targets.file import FileTarget

    deployed, err = _targets()
    target = FileTarget(tmp / "manifest.lock.json")
    target.history_dir.mkdir()
    place(target.history_dir / "log.jsonl")
    text, digest = manifest()
    return refused(err, lambda: target.write(text, digest, expected=deployed(None)))


# Surfaces registered by modules of their own (they import this one): regctl's own
# servers and the static export, the data files, the Django import's inputs, the secret
# stores, and readers in other languages.
from tests.hostile import serve_surfaces, surfaces_data, surfaces_secrets  # noqa: E402, F401

from tests.hostile import surfaces_django  # noqa: E402, F401  isort: skip
from tests.hostile import surfaces_js  # noqa: E402, F401  isort: skip

from tests.hostile import surfaces_limits  # noqa: E402, F401  isort: skip
from tests.hostile import surfaces_inputs  # noqa: E402, F401  isort: skip
from tests.hostile import surfaces_gitops  # noqa: E402, F401  isort: skip
