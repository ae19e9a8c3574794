"""The etcd layout of a deployed manifest, and reading it through etcd's v3 JSON gateway.

Shared by the ``etcd://`` deploy target (which writes) and the client (which
reads and watches); standard library only. etcd refuses requests over
``--max-request-bytes`` (1.5 MiB by default) while a models.dev-sized manifest is
several MB, so the manifest is stored gzip-compressed (deterministic: no name,
``mtime=0``) and split into chunks, each written in its own request:

- ``KEY/history/sha256-<hex>/0000``, ``/0001``, ...: the gzip chunks of the
  manifest with that digest. Content-addressed and never changed, so they are
  also the history.
- ``KEY``: a small pointer, ``{"regctl": 1, "digest", "sha256", "size",
  "chunks"}``, swapped by one transaction that compares ``KEY``'s
  ``mod_revision`` (compare-and-swap). A reader that sees the new pointer finds
  every chunk already written: never a partial manifest.
- ``KEY/history/log/<time>``: one entry per apply, put in the same transaction.

The digest stays the manifest's own (over the canonical, uncompressed body);
``sha256`` is of the exact uncompressed bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from typing import Any

from regctl.client._fetch import MAX_MANIFEST_BYTES, TooLargeGzip, gunzip_bounded

#: Gzip bytes per chunk: base64 makes a put of this ~1 MiB, under the 1.5 MiB default.
CHUNK_BYTES = 768 * 1024
GATEWAY = "/v3"


class EtcdLayoutError(Exception):
    """The keys under the target do not hold a complete manifest."""


def parse_uri(uri: str) -> tuple[str, str]:
    """``etcd://HOST:PORT/KEY`` -> (``http://HOST:PORT``, ``/KEY``); ``etcds://`` is https."""
    scheme, sep, rest = uri.partition("://")
    if scheme not in ("etcd", "etcds") or not sep:
        raise ValueError(f"bad etcd URI {uri!r}: use etcd://HOST:PORT/KEY")
    host, slash, key = rest.partition("/")
    if not host or not slash or not key or key.endswith("/") or "@" in host:
        raise ValueError(f"bad etcd URI {uri!r}: use etcd://HOST:PORT/KEY (no credentials)")
    base = ("https://" if scheme == "etcds" else "http://") + host
    return base, "/" + key


def b64(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str | None) -> bytes:
    return base64.b64decode(text or "")


def prefix_end(prefix: str) -> str:
    """The ``range_end`` that selects every key starting with ``prefix``."""
    raw = bytearray(prefix.encode("utf-8"))
    raw[-1] += 1
    return b64(bytes(raw))


def chunk_prefix(key: str, digest: str) -> str:
    hexpart = digest.split(":", 1)[-1]
    if not digest.startswith("sha256:") or not hexpart.isalnum():
        raise ValueError(f"not a manifest digest: {digest!r}")
    return f"{key}/history/sha256-{hexpart}/"


def log_prefix(key: str) -> str:
    return f"{key}/history/log/"


def compress(data: bytes) -> bytes:
    """Deterministic gzip: the same manifest always gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def split(gz: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    return [gz[i : i + size] for i in range(0, len(gz), size)] or [b""]


def pointer(digest: str, data: bytes, chunks: int) -> bytes:
    doc = {
        "regctl": 1,
        "digest": digest,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "chunks": chunks,
        "encoding": "gzip",
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_pointer(value: bytes) -> dict[str, Any] | None:
    """The pointer in ``value``, or ``None`` when ``KEY`` holds something else."""
    try:
        doc = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(doc, dict) and doc.get("regctl") == 1 and isinstance(doc.get("digest"), str):
        return doc
    return None


def assemble(ptr: dict[str, Any], kvs: list[dict[str, Any]]) -> bytes:
    """The manifest bytes from the chunk range answer; checks count, size and sha256."""
    parts = sorted((unb64(kv.get("key")), unb64(kv.get("value"))) for kv in kvs)
    if len(parts) != ptr.get("chunks"):
        raise EtcdLayoutError(f"{len(parts)} of {ptr.get('chunks')} chunks present")
    data = _gunzip(b"".join(v for _, v in parts))
    if len(data) != ptr.get("size") or hashlib.sha256(data).hexdigest() != ptr.get("sha256"):
        raise EtcdLayoutError("chunks do not match the pointer's size and sha256")
    return data


def unpack_unchecked(kvs: list[dict[str, Any]]) -> bytes:
    """Join and decompress chunks with no pointer to check them against (history:
    the caller verifies the manifest's own digest)."""
    parts = sorted((unb64(kv.get("key")), unb64(kv.get("value"))) for kv in kvs)
    return _gunzip(b"".join(v for _, v in parts))


def _gunzip(data: bytes) -> bytes:
    """Chunks decompressed under the client's manifest size cap (a bomb is an error)."""
    try:
        return gunzip_bounded(data, MAX_MANIFEST_BYTES)
    except TooLargeGzip as exc:
        raise EtcdLayoutError(f"chunks: {exc}") from None
    except (EOFError, ValueError, zlib.error) as exc:
        raise EtcdLayoutError(f"chunks do not decompress ({exc})") from None


def range_body(key: str, *, prefix: bool = False, revision: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"key": b64(key)}
    if prefix:
        body["range_end"] = prefix_end(key)
    if revision:
        body["revision"] = str(revision)
    return body


# -- stdlib reader for the client -------------------------------------------------------
def post(
    base: str, path: str, body: dict[str, Any], timeout: float, headers: dict[str, str]
) -> Any:
    """POST JSON to the gateway with urllib; raises ``OSError`` subclasses on failure."""
    import urllib.request

    req = urllib.request.Request(
        base + GATEWAY + path,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout, context=tls_context()) as resp:
        return json.loads(resp.read())


def tls_context() -> Any:
    """TLS settings from etcdctl's variables (``ETCDCTL_CACERT``/``_CERT``/``_KEY``)."""
    import os

    cacert, cert, key = (os.environ.get(f"ETCDCTL_{n}") for n in ("CACERT", "CERT", "KEY"))
    if not (cacert or cert):
        return None
    import ssl

    ctx = ssl.create_default_context(cafile=cacert or None)
    if cert:
        ctx.load_cert_chain(cert, key or None)
    return ctx


def credentials() -> tuple[str, str] | None:
    """(user, password) from ``ETCDCTL_USER`` (``user:pass`` or with ``ETCDCTL_PASSWORD``)."""
    import os

    user = os.environ.get("ETCDCTL_USER")
    if not user:
        return None
    if ":" in user and not os.environ.get("ETCDCTL_PASSWORD"):
        name, _, password = user.partition(":")
        return name, password
    return user, os.environ.get("ETCDCTL_PASSWORD", "")


def auth_headers(base: str, timeout: float) -> dict[str, str]:
    """An ``Authorization`` token when etcd auth is configured in the environment."""
    creds = credentials()
    if creds is None:
        return {}
    got = post(base, "/auth/authenticate", {"name": creds[0], "password": creds[1]}, timeout, {})
    return {"Authorization": str(got.get("token", ""))}


def read(base: str, key: str, timeout: float, headers: dict[str, str]) -> tuple[bytes | None, int]:
    """(manifest bytes or ``None``, ``KEY``'s mod_revision; 0 when absent).

    ``KEY`` holding something that is not a regctl pointer (an ``etcdctl put`` by
    hand) is returned as it is, for the caller's verification to refuse.
    """
    got = post(base, "/kv/range", range_body(key), timeout, headers)
    kvs = got.get("kvs") or []
    if not kvs:
        return None, 0
    value = unb64(kvs[0].get("value"))
    rev = int(kvs[0].get("mod_revision", 0))
    ptr = parse_pointer(value)
    if ptr is None:
        return value, rev
    chunks = post(
        base,
        "/kv/range",
        range_body(chunk_prefix(key, ptr["digest"]), prefix=True),
        timeout,
        headers,
    )
    return assemble(ptr, chunks.get("kvs") or []), rev
