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

:class:`Gateway` talks to the gateway through :mod:`regctl.io.safehttp` (a total
deadline per read, a body cap while reading) and checks the shape of every answer
(:mod:`regctl.io.jsondoc`): a gateway, or anything posing as one, that answers JSON of
another shape is an :class:`EtcdError` with one clear line, never an ``AttributeError``.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import os
import sys
import time
import zlib
from typing import Any, NamedTuple

from regctl.base.i18n import msg
from regctl.io import jsondoc, safehttp, tls, urls
from regctl.io.gz import TooLargeGzip, gunzip_bounded

#: Gzip bytes per chunk: base64 makes a put of this ~1 MiB, under the 1.5 MiB default.
CHUNK_BYTES = 768 * 1024
GATEWAY = "/v3"
#: Largest gateway answer read (all chunks of a 64 MiB compressed manifest, in base64).
MAX_ANSWER_BYTES = 96 * 1024 * 1024


class EtcdLayoutError(Exception):
    """The keys under the target do not hold a complete manifest."""


class EtcdError(Exception):
    """The gateway could not be reached, or answered an error or JSON of the wrong shape.

    ``str()`` is one line without the URL (the caller names the target or source).
    """


class EtcdStatus(EtcdError):
    """The gateway answered an HTTP error; ``detail`` is etcd's own error text (sanitized)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status} {detail}".rstrip())
        self.status, self.detail = status, detail


class EtcdUnreachable(EtcdError):
    """No answer: connection refused, timed out, TLS failure."""


class KV(NamedTuple):
    """One key-value pair of a range answer, decoded."""

    key: bytes
    value: bytes
    mod_revision: int


def parse_uri(uri: str) -> tuple[urls.Endpoint, str]:
    """``etcd://HOST:PORT/KEY`` -> (the gateway's endpoint, ``/KEY``); ``etcds://`` is https.

    The host is parsed by :func:`regctl.io.urls.parse`: the policy decides on, and the
    gateway connects to, that one endpoint.
    """
    hint = msg("use etcd://HOST:PORT/KEY (no credentials)")
    try:
        parts = urls.parse_store(uri, ("etcd", "etcds"))
    except urls.BadUrl as exc:
        raise ValueError(
            msg("bad etcd URI: {reason}; {hint}", reason=str(exc), hint=hint)
        ) from None
    key = parts.path
    if parts.options or "?" in uri:
        raise ValueError(
            msg(
                "bad etcd URI {uri}: it takes no options (?...); {hint}",
                uri=repr(redact(uri)),
                hint=hint,
            )
        )
    if not parts.authority or not key or key.endswith("/") or "@" in parts.authority:
        raise ValueError(msg("bad etcd URI {uri}: {hint}", uri=repr(redact(uri)), hint=hint))
    scheme = "https" if parts.scheme == "etcds" else "http"
    try:
        ep = urls.parse(f"{scheme}://{parts.authority}")
    except urls.BadUrl as exc:
        raise ValueError(
            msg("bad etcd URI: {reason}; {hint}", reason=str(exc), hint=hint)
        ) from None
    return ep, "/" + key


def redact(uri: str) -> str:
    """An etcd URI safe to print (it holds no credential: shown as given, if printable)."""
    return uri if uri.isprintable() and len(uri) <= 2048 else urls.redact(uri)


def b64(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def unb64(text: Any, what: str = "a value") -> bytes:
    """Strict base64 (``b64decode`` would silently drop characters it does not know)."""
    if text is None:
        return b""
    if not isinstance(text, str):
        raise EtcdError(f"etcd's answer has {jsondoc.kind(text)} as {what}, expected base64 text")
    try:
        if sys.version_info >= (3, 11):  # strict in C: a regular expression over MBs is not
            return binascii.a2b_base64(text, strict_mode=True)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EtcdError(f"etcd's answer has {what} that is not base64") from None


def prefix_end(prefix: str) -> str:
    """The ``range_end`` that selects every key starting with ``prefix``."""
    raw = bytearray(prefix.encode("utf-8"))
    raw[-1] += 1
    return b64(bytes(raw))


def chunk_prefix(key: str, digest: str) -> str:
    hexpart = digest.split(":", 1)[-1]
    if not digest.startswith("sha256:") or not hexpart.isalnum() or not hexpart.isascii():
        raise ValueError(f"not a manifest digest: {digest[:80]!r}")
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
        doc = jsondoc.loads(value, "the pointer")
    except jsondoc.BadJson:
        return None
    if (
        isinstance(doc, dict)
        and doc.get("regctl") == 1
        and isinstance(doc.get("digest"), str)
        and isinstance(doc.get("chunks"), int)
        and isinstance(doc.get("size"), int)
        and isinstance(doc.get("sha256"), str)
    ):
        return doc
    return None


def assemble(ptr: dict[str, Any], kvs: list[KV], limit: int) -> bytes:
    """The manifest bytes from the chunk range answer; checks count, size and sha256."""
    parts = sorted((kv.key, kv.value) for kv in kvs)
    if len(parts) != ptr.get("chunks"):
        raise EtcdLayoutError(f"{len(parts)} of {ptr.get('chunks')} chunks present")
    data = _gunzip(b"".join(v for _, v in parts), limit)
    if len(data) != ptr.get("size") or hashlib.sha256(data).hexdigest() != ptr.get("sha256"):
        raise EtcdLayoutError("chunks do not match the pointer's size and sha256")
    return data


def unpack_unchecked(kvs: list[KV], limit: int) -> bytes:
    """Join and decompress chunks with no pointer to check them against (history:
    the caller verifies the manifest's own digest)."""
    parts = sorted((kv.key, kv.value) for kv in kvs)
    return _gunzip(b"".join(v for _, v in parts), limit)


def _gunzip(data: bytes, limit: int) -> bytes:
    """Chunks decompressed under the manifest size cap (a bomb is an error)."""
    try:
        return gunzip_bounded(data, limit)
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


def revision_of(value: Any, what: str) -> int:
    """An int64 of the gateway (sent as a decimal string, or a number)."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) <= 19:
        return int(value)
    raise EtcdError(f"etcd's answer has {jsondoc.kind(value)} as {what}, expected a revision")


def kvs_of(answer: dict[str, Any]) -> list[KV]:
    """The decoded ``kvs`` of a range answer (absent: none); wrong shapes are :class:`EtcdError`."""
    raw = answer.get("kvs")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise EtcdError(f"etcd's answer has {jsondoc.kind(raw)} as kvs, expected a list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise EtcdError(f"etcd's answer has {jsondoc.kind(item)} in kvs, expected an object")
        out.append(
            KV(
                unb64(item.get("key"), "a key"),
                unb64(item.get("value"), "a value"),
                revision_of(item.get("mod_revision"), "mod_revision"),
            )
        )
    return out


# -- the gateway, through the bounded I/O layer -----------------------------------------
def tls_context() -> Any:
    """TLS settings from etcdctl's variables (``ETCDCTL_CACERT``/``_CERT``/``_KEY``)."""
    cacert, cert, key = (os.environ.get(f"ETCDCTL_{n}") for n in ("CACERT", "CERT", "KEY"))
    if not (cacert or cert):
        return None
    try:
        return tls.context(cacert or None, cert or None, key or None)
    except tls.TlsError as exc:
        raise EtcdUnreachable(f"ETCDCTL_CACERT/CERT/KEY: {exc}") from None


def credentials() -> tuple[str, str] | None:
    """(user, password) from ``ETCDCTL_USER`` (``user:pass`` or with ``ETCDCTL_PASSWORD``)."""
    user = os.environ.get("ETCDCTL_USER")
    if not user:
        return None
    if ":" in user and not os.environ.get("ETCDCTL_PASSWORD"):
        name, _, password = user.partition(":")
        return name, password
    return user, os.environ.get("ETCDCTL_PASSWORD", "")


def _detail(body: bytes) -> str:
    """etcd's error text from an error answer ("etcdserver: request is too large")."""
    try:
        doc = jsondoc.loads(body[:65536], "the error")
    except jsondoc.BadJson:
        return ""
    text = ""
    if isinstance(doc, dict):
        for name in ("error", "message"):
            if isinstance(doc.get(name), str):
                text = doc[name]
                break
    return "".join(ch if ch.isprintable() else "?" for ch in text[:200])


class Gateway:
    """etcd's v3 JSON gateway at ``base``: bounded POSTs, shape-checked answers.

    Every call shares one total deadline, opened by the constructor and again by
    :meth:`start` (a read is the authentication, the pointer and the chunks).
    ``authenticate=False`` never sends the ``ETCDCTL_USER`` password (a host the
    operator did not allow).
    """

    def __init__(
        self,
        base: urls.Endpoint,
        *,
        timeout: float,
        deadline: float | None = None,
        authenticate: bool = True,
    ) -> None:
        self.base = base
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else time.monotonic() + timeout
        self._authenticate = authenticate
        self._auth: dict[str, str] | None = None
        self._ctx = tls_context() if base.scheme == "https" else None

    def start(self) -> None:
        """Open a new total deadline for the calls that follow."""
        self.deadline = time.monotonic() + self.timeout

    def post(self, path: str, body: dict[str, Any], *, auth: bool = True) -> dict[str, Any]:
        """POST ``body`` as JSON to ``/v3<path>``; the answer, checked to be an object."""
        headers = {"Content-Type": "application/json", "User-Agent": "regctl"}
        if auth:
            headers.update(self.auth_headers())
        try:
            resp = safehttp.request(
                "POST",
                self.base.with_target(GATEWAY + path),
                headers=headers,
                body=json.dumps(body).encode("utf-8"),
                timeout=self.timeout,
                deadline=self.deadline,
                max_bytes=MAX_ANSWER_BYTES,
                keep_alive=True,
                ssl_context=self._ctx,
            )
        except safehttp.HttpError as exc:
            reason = str(exc).removeprefix(self.base.with_target(GATEWAY + path).shown + ": ")
            if reason == "connection refused":
                reason = "connection refused or host unreachable"
            raise EtcdUnreachable(reason) from None
        if resp.status != 200:
            raise EtcdStatus(resp.status, _detail(resp.body))
        try:
            answer = jsondoc.loads(resp.body, "etcd's answer")
        except jsondoc.BadJson as exc:
            raise EtcdError(str(exc)) from None
        if not isinstance(answer, dict):
            raise EtcdError(f"etcd's answer is {jsondoc.kind(answer)}, expected an object")
        return answer

    def auth_headers(self) -> dict[str, str]:
        """An ``Authorization`` token when etcd auth is configured (and allowed here)."""
        if self._auth is None:
            creds = credentials() if self._authenticate else None
            self._auth = {}
            if creds is not None:
                got = self.post(
                    "/auth/authenticate", {"name": creds[0], "password": creds[1]}, auth=False
                )
                token = got.get("token")
                if not isinstance(token, str) or not token.isprintable():
                    raise EtcdError(f"etcd's answer has {jsondoc.kind(token)} as token")
                self._auth = {"Authorization": token}
        return self._auth

    def range(self, key: str, *, prefix: bool = False, keys_only: bool = False) -> list[KV]:
        """The key (or every key under the prefix), decoded."""
        body = range_body(key, prefix=prefix)
        if keys_only:
            body["keys_only"] = True
        return kvs_of(self.post("/kv/range", body))

    def read(self, key: str, limit: int) -> tuple[bytes | None, int]:
        """(manifest bytes or ``None``, ``KEY``'s mod_revision; 0 when absent).

        ``KEY`` holding something that is not a regctl pointer (an ``etcdctl put`` by
        hand) is returned as it is, for the caller's verification to refuse.
        """
        kvs = self.range(key)
        if not kvs:
            return None, 0
        value, rev = kvs[0].value, kvs[0].mod_revision
        ptr = parse_pointer(value)
        if ptr is None:
            return value, rev
        try:
            prefix = chunk_prefix(key, ptr["digest"])
        except ValueError as exc:
            raise EtcdLayoutError(f"the pointer names {exc}") from None
        return assemble(ptr, self.range(prefix, prefix=True), limit), rev
