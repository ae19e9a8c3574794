"""Loading and reloading a :class:`~regctl.client.Registry`'s manifest.

Where the last-known-good copy of a remote source goes, one read of the source (a file,
a URL, S3, etcd) into a verified :class:`State`, and the swap :meth:`Registry.refresh`
makes. The functions take the registry (``reg``) and set its slots; the class keeps the
public methods and their documentation.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from regctl.base import i18n
from regctl.client import _fetch
from regctl.client._state import State
from regctl.client._verify import parse_manifest
from regctl.client.errors import ClientError, ManifestError, ManifestUnavailable


def init(
    reg: Any,
    source: str | os.PathLike[str],
    expect: str | None,
    timeout: float,
    cache: str | os.PathLike[str] | bool | None,
    locale: str | None,
) -> None:
    """Set up a new registry ``reg`` and load ``source`` now (see :meth:`Registry.load`)."""
    import _thread

    s = object.__setattr__
    s(reg, "_lang", i18n.catalog(i18n.choose_language(locale))[0])
    src = os.fspath(source)
    s(reg, "_source", src)
    s(reg, "_expect", expect)
    s(reg, "_timeout", timeout)
    if not _fetch.is_remote(src) or cache is False:
        s(reg, "_cache", None)
    elif cache is None or cache is True:
        s(reg, "_cache", _fetch.default_cache_path(src))
    else:
        path = os.fspath(cache)
        if os.path.isdir(path):
            # A folder: the last-known-good file goes inside it (not silently nowhere).
            path = os.path.join(path, os.path.basename(_fetch.default_cache_path(src)))
        s(reg, "_cache", path)
    s(reg, "_lock", _thread.allocate_lock())
    s(reg, "_thread", None)
    s(reg, "_stop", None)
    s(reg, "_on_change", None)
    s(reg, "_on_error", None)
    s(reg, "last_error", None)
    try:
        s(reg, "_state", read_state(reg, None))
    except ClientError as exc:
        raise reg._said(exc) from None
    except Exception as unexpected:
        # Fails closed with one line, never a raw exception (a bug shows its type here).
        raise reg._said(
            ManifestError(
                i18n.msg(
                    "manifest {source} could not be loaded ({kind})",
                    source=_fetch.shown(src),
                    kind=type(unexpected).__name__,
                )
            )
        ) from None


def init_bytes(reg: Any, data: bytes, source: str, locale: str | None) -> None:
    """Set up a new registry ``reg`` over manifest ``data`` (see :meth:`Registry.from_bytes`)."""
    import _thread

    s = object.__setattr__
    s(reg, "_lang", i18n.catalog(i18n.choose_language(locale))[0])
    for name, value in (
        ("_source", source), ("_expect", None), ("_timeout", 0.0), ("_cache", None),
        ("_lock", _thread.allocate_lock()), ("_thread", None), ("_stop", None),
        ("_on_change", None), ("_on_error", None), ("last_error", None),
    ):  # fmt: skip
        s(reg, name, value)
    try:
        s(reg, "_state", State(parse_manifest(data, source, None), source, None, lang=reg._lang))
    except ClientError as exc:
        raise reg._said(exc) from None


def read_state(reg: Any, current: State | None) -> State:
    """``reg``'s source read now: ``current`` when it has not changed, else a new state."""
    src: str = reg._source
    timeout: float = reg._timeout
    cache: str | None = reg._cache
    stamp = current.stamp if current is not None else None
    if src.startswith(("etcd://", "etcds://")):
        got = _fetch.fetch_etcd(src, timeout=timeout, cache=cache, stamp=stamp)
    elif src.startswith("s3://"):
        got = _fetch.fetch_s3(src, timeout=timeout, cache=cache, stamp=stamp)
    elif not _fetch.is_url(src):
        got = _fetch.read_file(src, stamp)
    else:
        got = _fetch.fetch_url(src, timeout=timeout, cache=cache, etag=stamp)
    if got.data is None and current is not None:
        return current
    try:
        data = parse_manifest(_bytes(got, src), src, reg._expect)
    except ManifestError:
        if not got.from_cache or got.stale_reason is not None or not _fetch.is_url(src):
            raise
        # A 304 for a cached copy that no longer verifies: fetch it afresh.
        got = _fetch.fetch_url(src, timeout=timeout, cache=None)
        data = parse_manifest(_bytes(got, src), src, reg._expect)
    if current is not None and data.digest == current.data.digest:
        return (
            State(current.data, src, got.stamp, got.stale_reason, reg._lang)
            if (got.stamp != current.stamp or got.stale_reason != current.stale_reason)
            else current
        )
    if cache is not None and not got.from_cache:
        # The cache only helps the next start; serving goes on without it.
        with contextlib.suppress(OSError):
            etag = got.stamp if isinstance(got.stamp, str) else None
            _fetch.write_cache(cache, _bytes(got, src), etag)
    return State(data, src, got.stamp, got.stale_reason, reg._lang)


def refresh(reg: Any, raise_errors: bool) -> bool:
    """See :meth:`Registry.refresh`."""
    with reg._lock:
        old: State = reg._state
        try:
            try:
                new = read_state(reg, old)
            except ManifestError:
                raise
            except Exception as unexpected:
                # A reload must never take the caller (or the watch thread) down.
                raise ManifestError(
                    i18n.msg(
                        "manifest {source} reload failed ({kind})",
                        source=reg._source,
                        kind=type(unexpected).__name__,
                    )
                ) from None
        except ManifestError as exc:
            object.__setattr__(reg, "last_error", exc)
            import logging

            logging.getLogger("regctl.client").warning(
                "manifest reload failed, keeping %s: %s", old.data.digest, exc
            )
            if reg._on_error is not None:
                reg._on_error(reg, exc)
            if raise_errors:
                raise
            return False
        object.__setattr__(reg, "last_error", None)
        object.__setattr__(reg, "_state", new)
    changed = new.data is not old.data
    if changed and reg._on_change is not None:
        reg._on_change(reg)
    return changed


def _bytes(got: _fetch.Fetched, source: str) -> bytes:
    if got.data is None:  # a 304 we did not ask for
        raise ManifestUnavailable(f"manifest {source}: the server sent no content")
    return got.data
