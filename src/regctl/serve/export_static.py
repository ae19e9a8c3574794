"""``regctl export static``: every read-API answer as a file, so any static host serves the API.

Layout under the output folder::

    current.json                      {"digest", "root", "index"}: written last, atomically
    sha256-<hex>/index.json           {"digest", "locales", "routes": {target: file}}
    sha256-<hex>/v1/manifest.json
    sha256-<hex>/v1/providers/{p}/active/{capability}.json
    sha256-<hex>/v1/providers/{p}/models.json
    sha256-<hex>/v1/models/provider/{p|_all}/capability/{c|_all}/active/{true|false|_all}.json
    sha256-<hex>/v1/resolve/capability/{c}.json
    sha256-<hex>/v1/resolve/capability/{c}/provider/{p}.json
    sha256-<hex>/v1/resolve/template/{t}.json
    sha256-<hex>/lang/{tag}/v1/...    the same answers with display names in that language

Every file holds the bytes ``regctl serve`` answers for its route (the index maps the
route, path and query, to the file): both come from :func:`regctl.serve.answers.routes`.
A digest root never changes once written, so it can be cached forever; only
``current.json`` moves. Only successful answers are written: a route that serve answers
404 has no file, and the static host answers its own 404.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from regctl.client import Registry
from regctl.client.errors import InvalidManifest
from regctl.io.fsutil import atomic_write, fsync_dir
from regctl.io.safehttp import redact_url
from regctl.serve import answers
from regctl.serve.watcher import Snapshot, describe

CURRENT = "current.json"
INDEX = "index.json"


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the digest, its root folder name and how many route files."""

    digest: str
    root: str
    files: int
    bytes: int


def root_name(digest: str) -> str:
    """``sha256:<hex>`` -> ``sha256-<hex>`` (a name every file system and URL takes)."""
    return digest.replace(":", "-", 1)


def build(snap: Snapshot) -> Iterator[tuple[str, bytes]]:
    """``(relative path, bytes)`` of every file of one digest root, the index last."""
    routes: dict[str, str] = {}
    for target, path, answer in answers.routes(snap):
        routes[target] = path
        yield path, answer.body
    index = {
        "digest": snap.digest,
        "locales": [t for t in answers.locales(snap) if answers.safe_segment(t)],
        "routes": routes,
    }
    yield INDEX, answers.dumps(index)


def current_document(digest: str) -> bytes:
    """The pointer a reader fetches first (never cached): which root is serving."""
    root = root_name(digest)
    return answers.dumps({"digest": digest, "root": f"{root}/", "index": f"{root}/{INDEX}"})


def load_snapshot(source: str, timeout: float = 10.0) -> Snapshot:
    """The verified manifest at ``source`` with every entry read (a broken one: InvalidManifest)."""
    registry = Registry.load(source, timeout=timeout, locale="en")
    try:
        return Snapshot(registry)
    except Exception as exc:
        raise InvalidManifest(f"manifest {redact_url(source)}: {describe(exc)}") from None


def export_static(source: str, out: Path, *, timeout: float = 10.0) -> Exported:
    """Write the static read API of the manifest at ``source`` under ``out``.

    The manifest is verified as ``Registry.load`` does. The digest root is written in
    a temporary folder and renamed into place, then ``current.json`` is replaced: a
    reader sees the old export or the new one, never a mix.
    """
    snap = load_snapshot(source, timeout)
    out.mkdir(parents=True, exist_ok=True)
    name = root_name(snap.digest)
    final = out / name
    # The same digest is the same bytes: a complete root is kept as it is.
    write = not (final / INDEX).is_file()
    tmp = out / f".{name}.tmp-{os.getpid()}"
    if write:
        shutil.rmtree(tmp, ignore_errors=True)
    files = total = 0
    for rel, data in build(snap):
        if rel != INDEX:
            files += 1
            total += len(data)
        if write:
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if write:
        os.sync()  # one flush for the whole root (a file at a time would be thousands)
        if final.exists():  # an earlier export that did not finish
            shutil.rmtree(final)
        os.replace(tmp, final)
        fsync_dir(out)
    atomic_write(out / CURRENT, current_document(snap.digest))
    return Exported(snap.digest, name, files, total)
