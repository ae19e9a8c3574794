"""The manifest behind the server: loaded, re-checked, swapped whole (last-known-good).

Standard library and :mod:`regctl.client` only, so it is testable without a server.
"""

from __future__ import annotations

import datetime as _dt
import logging
import threading
import time
from collections.abc import Callable

from regctl.base import i18n
from regctl.base.canonical import dumps_pretty
from regctl.base.redact import redact
from regctl.client import Registry
from regctl.client.errors import ClientError
from regctl.io.safehttp import redact_url
from regctl.serve import answers

log = logging.getLogger("regctl.serve")


def utc_today() -> str:
    """Today, UTC, as ``YYYY-MM-DD``: the day the client compares deprecation dates with."""
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def _pinned(registry: Registry) -> Registry:
    """A view of ``registry`` frozen on the manifest it serves now.

    ``Registry.refresh`` swaps its state in place; each snapshot answers from one
    manifest only, so the digest it reports always matches the data it serves.
    """
    view = object.__new__(Registry)
    for name in Registry.__slots__:
        object.__setattr__(view, name, getattr(registry, name))
    return view


class Snapshot:
    """One verified manifest and the answers derived from it (built once, then only looked up).

    Building it reads every model entry, so a manifest whose digest verifies but whose
    entries are malformed fails here, before it can replace the one serving. Its answers
    hold for one UTC ``day`` (deprecation dates are compared with it): the watcher builds
    a new snapshot of the same manifest when the day changes.
    """

    __slots__ = ("day", "digest", "etag", "fast", "manifest_bytes", "registry")

    def __init__(self, registry: Registry, day: str | None = None) -> None:
        self.day = day or utc_today()
        self.registry = _pinned(registry)
        self.digest = self.registry.digest
        self.etag = f'"{self.digest}"'
        data = self.registry._state.data  # the verified document, re-dumped canonically
        doc = dict(data.top)
        doc["models"] = data.all_models()
        self.manifest_bytes = dumps_pretty(doc).encode("utf-8")
        # Request target (as sent) -> answer, for the small answers asked most often:
        # the server answers these with one dict lookup (serve.protocol).
        fast: dict[bytes, answers.Answer] = {}
        for target, _path, answer in answers.routes(self, listings=False):
            if target != answers.MANIFEST:  # conditional requests: the app answers them
                fast[target.encode("utf-8")] = answer
        for p in self.registry.providers:
            alias = fast.get(f"/v1/providers/{p}/active?capability=chat".encode())
            if alias is not None:  # capability defaults to chat
                fast[f"/v1/providers/{p}/active".encode()] = alias
        if b"/v1/resolve?capability=chat" in fast:
            fast[b"/v1/resolve"] = fast[b"/v1/resolve?capability=chat"]
        self.fast = fast


def describe(exc: BaseException, locale: str | None = None) -> str:
    """One line for a failed load: the client's message (in ``locale``; English by
    default), or the kind of an unexpected error.

    Passed through :func:`regctl.base.redact.redact`, so a URL password, a ``?token=``
    or a key in an error text is never logged or served by ``/readyz``.
    """
    if isinstance(exc, ClientError):
        text = i18n.translate(exc.args[0], locale) if len(exc.args) == 1 else str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(" ".join(text.split()))[:1000]


class ManifestWatcher:
    """Loads ``source`` and re-checks it every ``interval`` seconds in a thread.

    :attr:`snapshot` is ``None`` until the first good manifest, then always the last
    good one: a bad reload is counted and logged, and the old snapshot keeps serving.
    Any failure (an error of the client, a malformed entry, an unexpected exception)
    is a refused reload: the polling thread never dies of one.
    """

    def __init__(
        self,
        source: str,
        interval: float = 5.0,
        *,
        expect_digest: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], str] = utc_today,
    ) -> None:
        self.source = source
        self._clock = clock  # today, UTC (a test turns the day over without waiting)
        self.interval = interval
        self._expect = expect_digest
        self._timeout = timeout
        self._registry: Registry | None = None
        self.snapshot: Snapshot | None = None
        self.reloads = 0
        self.failures = 0
        self.last_error: str | None = None
        #: The exception behind :attr:`last_error` (``None`` after a good load): ``/readyz``
        #: says it in each caller's language (:meth:`error_in`).
        self.last_failure: BaseException | None = None
        self.last_success: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def safe_source(self) -> str:
        """The source as it may be printed: no user info, no query (``?token=``)."""
        return redact_url(self.source)

    def poll(self) -> bool:
        """Load or re-check once; returns whether a new manifest is now serving."""
        try:
            if self._registry is None:
                # English templates: each answer says them in its caller's language.
                registry = Registry.load(
                    self.source, expect_digest=self._expect, timeout=self._timeout, locale="en"
                )
                changed = True
            else:
                registry = self._registry
                changed = registry.refresh(raise_errors=True)
            day = self._clock()
            snap = Snapshot(registry, day) if changed else None
            serving = self.snapshot
            if snap is None and serving is not None and serving.day != day:
                # The same manifest on a new day: a model whose deprecated date has come
                # must leave the precomputed answers (the contract's "not past deprecated").
                self.snapshot = Snapshot(serving.registry, day)
                log.info("answers rebuilt for a new day", extra={"fields": {"day": day}})
        except Exception as exc:  # every failure is a refused reload, never a dead thread
            self._failed(exc)
            return False
        self._registry = registry
        self.last_error = None
        self.last_failure = None
        self.last_success = time.time()
        if snap is not None:
            self.snapshot = snap  # one reference swap: requests see old or new, never a mix
            self.reloads += 1
            log.info("manifest loaded", extra={"fields": {"digest": snap.digest}})
        return snap is not None

    def _failed(self, exc: BaseException) -> None:
        self.failures += 1
        self.last_error = describe(exc)
        self.last_failure = exc
        if self._registry is not None and self.snapshot is not None:
            # refresh() may have swapped the registry's state to the refused manifest;
            # the next poll starts again from the serving one.
            self._registry = _pinned(self.snapshot.registry)
        kept = self.snapshot.digest if self.snapshot is not None else None
        log.warning(
            "manifest reload failed",
            extra={"fields": {"error": self.last_error, "serving": kept}},
        )

    def error_in(self, locale: str | None) -> str | None:
        """:attr:`last_error` in ``locale`` (``?lang=``): the client's message translated."""
        failure = self.last_failure
        return self.last_error if failure is None else describe(failure, locale)

    @property
    def error_code(self) -> str | None:
        """The stable code of the last failure (``digest_mismatch``; ``None`` after a good
        load; ``manifest_error`` for an unexpected one)."""
        failure = self.last_failure
        if failure is None:
            return None
        return failure.code if isinstance(failure, ClientError) else "manifest_error"

    def start(self) -> None:
        """Poll now, then every ``interval`` seconds until :meth:`stop`."""

        def loop() -> None:
            while True:
                try:
                    self.poll()
                except Exception as exc:  # e.g. logging itself failing
                    self.failures += 1
                    self.last_error = describe(exc)
                if self._stop.wait(self.interval):
                    return

        self._thread = threading.Thread(target=loop, name="regctl-serve-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the polling thread (waits for a poll in progress)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
