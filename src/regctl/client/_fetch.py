"""Read manifest bytes from a path or an ``http(s)://`` URL.

URLs use :mod:`regctl.io.safehttp` (imported only for URLs: ``http.client`` is slow
to import): a total deadline per request (a server trickling bytes cannot
stretch it), a body cap, redirects only to http(s), ``ETag``/``If-None-Match``,
and a last-known-good cache file that serves when the server cannot be reached
(connection error, timeout, HTTP 5xx). A 4xx answer, a body over the cap or a
redirect to another scheme is an error even when a cached copy exists: the URL
itself is wrong. Files are read with :mod:`regctl.io.safeio`: regular files only,
at most :data:`MAX_MANIFEST_BYTES`.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from typing import Any

from regctl.base.i18n import Msg, msg
from regctl.client.errors import ManifestError, ManifestNotFound, ManifestUnavailable
from regctl.io import safeio

MAX_MANIFEST_BYTES = 256 * 1024 * 1024
"""The largest manifest read from a file or URL (a 10,000-model manifest is ~15 MB)."""


class Fetched:
    """One read: ``data`` is ``None`` when the source did not change since ``stamp``."""

    __slots__ = ("data", "from_cache", "stale_reason", "stamp")

    def __init__(
        self,
        data: bytes | None,
        stamp: Any,
        *,
        from_cache: bool = False,
        stale_reason: str | None = None,
    ) -> None:
        self.data = data
        self.stamp = stamp
        self.from_cache = from_cache
        self.stale_reason = stale_reason


def reason_of(exc: BaseException) -> str:
    """Why ``exc`` was raised, as a message that can still be translated (a :class:`Msg`
    when it was raised with one; its English text otherwise)."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Msg) else str(exc)


def _no_copy(url: str, reason: str) -> Msg:
    return msg("cannot fetch manifest {url} ({reason}) and no cached copy", url=url, reason=reason)


def is_url(source: str) -> bool:
    """Whether ``source`` is fetched over HTTP(S)."""
    return source.startswith(("http://", "https://"))


def is_remote(source: str) -> bool:
    """Whether ``source`` is fetched over the network (and gets a last-known-good cache)."""
    return source.startswith(("http://", "https://", "s3://", "etcd://", "etcds://"))


def maybe_gunzip(data: bytes, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """Decompress gzip bytes (a ConfigMap's ``binaryData`` manifest); others pass through."""
    if data[:2] != b"\x1f\x8b":
        return data
    from regctl.io.gz import TooLargeGzip, gunzip_bounded  # only for gzip data

    try:
        return gunzip_bounded(data, limit)
    except TooLargeGzip as exc:
        raise ManifestError(msg("manifest is gzip data that {reason}", reason=str(exc))) from None
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise ManifestError(
            msg("manifest is gzip data that does not decompress ({reason})", reason=str(exc))
        ) from None


def shown(source: str) -> str:
    """``source`` safe to print: a URL without user info or query, a path as it is."""
    if is_remote(source):
        from regctl.io import urls

        return urls.redact(source)
    return source


def source_path(source: str) -> str:
    """A file source without its optional ``file:`` prefix."""
    return source[5:] if source.startswith("file:") else source


def default_cache_path(url: str) -> str:
    """Where the last-known-good copy of ``url`` lives unless the caller says otherwise."""
    base = os.environ.get("REGCTL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "regctl",
    )
    import hashlib  # only for remote sources

    name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return os.path.join(base, f"manifest-{name}.json")


def read_file(source: str, previous: Any = None, max_bytes: int = MAX_MANIFEST_BYTES) -> Fetched:
    """Read a local manifest unless its (mtime, size, inode) equals ``previous``."""
    path = source_path(source)
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == previous:
            return Fetched(None, stamp)
        return Fetched(maybe_gunzip(safeio.read_regular(path, max_bytes), max_bytes), stamp)
    except (FileNotFoundError, safeio.FileMissing):
        raise ManifestNotFound(msg("manifest {path} not found", path=path)) from None
    except safeio.NotRegularFile as exc:
        raise ManifestNotFound(
            msg("manifest {path} {reason}", path=path, reason=str(exc))
        ) from None
    except safeio.SafeReadError as exc:
        raise ManifestError(msg("manifest {path} {reason}", path=path, reason=str(exc))) from None
    except OSError as exc:
        raise ManifestError(
            msg("cannot read manifest {path}: {reason}", path=path, reason=str(exc.strerror or exc))
        ) from None


def read_cache(cache: str | None) -> tuple[bytes | None, str | None]:
    """The cached bytes and their ETag, or ``(None, None)``."""
    if not cache:
        return None, None
    try:
        data = safeio.read_regular(cache, MAX_MANIFEST_BYTES)
    except safeio.SafeReadError:
        return None, None
    try:
        etag: str | None = safeio.read_text(cache + ".etag", 4096).strip() or None
    except safeio.SafeReadError:
        etag = None
    return data, etag


def write_cache(cache: str, data: bytes, etag: str | None) -> None:
    """Atomically store a verified copy (bytes first, then its ETag)."""
    from regctl.io.fsutil import atomic_write  # stdlib only; needed just for URL sources

    atomic_write(cache, data)
    if etag:
        atomic_write(cache + ".etag", etag.encode("utf-8"))
    else:
        with contextlib.suppress(OSError):
            os.unlink(cache + ".etag")


def fetch_url(
    url: str,
    *,
    timeout: float,
    cache: str | None,
    etag: Any = None,
    use_cache: bool = True,
    max_bytes: int = MAX_MANIFEST_BYTES,
) -> Fetched:
    """GET ``url``; ``etag`` (the one we hold) makes an unchanged answer cheap.

    With no manifest in hand (``etag`` is ``None``) the cached copy's ETag is sent,
    and a 304 serves the cached bytes. ``timeout`` bounds the whole request.
    """
    from regctl.io import safehttp

    shown = safehttp.redact_url(url)
    # The cached copy is read only when it can be used: a watcher holding a manifest
    # (``etag`` set) polls without touching the disk.
    cached, cached_etag = read_cache(cache) if use_cache and etag is None else (None, None)
    if etag is None and cached is not None:
        etag = cached_etag
    headers = {"Accept": "application/json", "User-Agent": "regctl-client"}
    if etag:
        headers["If-None-Match"] = etag
    try:
        resp = safehttp.request(
            "GET",
            url,
            headers=headers,
            timeout=timeout,
            max_bytes=max_bytes,
            follow_redirects=True,
            keep_alive=True,
        )
    except (safehttp.BadRedirect, safehttp.BodyTooLarge) as exc:
        raise ManifestUnavailable(msg("cannot fetch manifest: {reason}", reason=str(exc))) from None
    except safehttp.HttpError as exc:
        reason = str(exc).removeprefix(shown + ": ")
    else:
        code = resp.status
        if code == 200:
            return Fetched(resp.body, resp.headers.get("etag"))
        if code == 304 and etag:
            if cached is not None and etag == cached_etag:
                return Fetched(cached, etag, from_cache=True)
            return Fetched(None, etag)
        if code == 404:
            raise ManifestNotFound(msg("manifest {url} not found (HTTP 404)", url=shown))
        reason = f"HTTP {code}"
        if code < 500:
            raise ManifestUnavailable(
                msg("cannot fetch manifest {url}: {reason}", url=shown, reason=reason)
            )
    if cached is None and use_cache:
        cached, cached_etag = read_cache(cache)
    if cached is not None:
        return Fetched(cached, cached_etag, from_cache=True, stale_reason=reason)
    raise ManifestUnavailable(_no_copy(shown, reason))


def _fallback(source: str, cache: str | None, reason: str) -> Fetched:
    cached, _ = read_cache(cache)
    if cached is not None:
        return Fetched(cached, None, from_cache=True, stale_reason=reason)
    raise ManifestUnavailable(_no_copy(source, reason))


def fetch_etcd(source: str, *, timeout: float, cache: str | None, stamp: Any = None) -> Fetched:
    """Read the manifest an ``etcd://`` target deployed; ``stamp`` is its pointer's revision.

    ``timeout`` bounds the whole read (authentication, the pointer, the chunks).
    """
    import time

    from regctl.client import _etcd

    try:
        base, key = _etcd.parse_uri(source)
    except ValueError as exc:
        raise ManifestError(reason_of(exc)) from None
    shown = _etcd.redact(source)
    deadline = time.monotonic() + timeout
    try:
        gw = _etcd.Gateway(base, timeout=timeout, deadline=deadline)
        data, rev = gw.read(key, MAX_MANIFEST_BYTES)
    except _etcd.EtcdLayoutError as exc:
        return _fallback(
            shown, cache, msg("incomplete manifest in etcd: {reason}", reason=reason_of(exc))
        )
    except _etcd.EtcdError as exc:
        return _fallback(shown, cache, reason_of(exc))
    if data is None:
        raise ManifestNotFound(msg("manifest {url} not found (no key {key})", url=shown, key=key))
    if stamp is not None and rev == stamp:
        return Fetched(None, rev)
    return Fetched(data, rev)


def fetch_s3(
    source: str,
    *,
    timeout: float,
    cache: str | None,
    stamp: Any = None,
    max_bytes: int = MAX_MANIFEST_BYTES,
) -> Fetched:
    """A conditional GET of ``s3://BUCKET/KEY`` (signed by botocore: the ``regctl[s3]`` extra)."""
    from regctl.client import _s3

    try:
        data, etag = _s3.fetch(source, stamp, timeout, max_bytes)
    except _s3.Unavailable as exc:
        return _fallback(source, cache, reason_of(exc))
    if data is None:
        return Fetched(None, stamp)
    return Fetched(maybe_gunzip(data, max_bytes), etag)
