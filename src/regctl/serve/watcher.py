"""The manifest behind the server: loaded, re-checked, swapped whole (last-known-good).

Standard library and :mod:`regctl.client` only, so it is testable without a server.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from regctl.base.canonical import dumps_pretty
from regctl.client import Model, Registry
from regctl.client.errors import ManifestError

log = logging.getLogger("regctl.serve")


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
    """One verified manifest and the response bodies derived from it (built once)."""

    __slots__ = ("_active", "digest", "etag", "manifest_bytes", "registry")

    def __init__(self, registry: Registry) -> None:
        self.registry = _pinned(registry)
        self.digest = self.registry.digest
        self.etag = f'"{self.digest}"'
        data = self.registry._state.data  # the verified document, re-dumped canonically
        doc = dict(data.top)
        doc["models"] = data.all_models()
        self.manifest_bytes = dumps_pretty(doc).encode("utf-8")
        # (provider, capability, name shown) -> body; only successful answers are
        # cached, so the cache is bounded by the manifest, not by what clients ask for.
        self._active: dict[tuple[str, str, str], bytes] = {}

    def active_body(self, provider: str, capability: str, locale: str | None = None) -> bytes:
        """The JSON body for an active model (raises the client's lookup errors).

        ``display_name`` is the model's name in ``locale`` when it has one.
        """
        model = self.registry.active_model(provider, capability)
        if model is None:
            from regctl.client.errors import NoActiveModel

            raise NoActiveModel(
                f"provider {provider!r} has no active model for capability {capability!r}"
            )
        name = model.display_name_for(locale) if model.display_names else model.display_name
        key = (provider, capability, name)
        body = self._active.get(key)
        if body is None:
            body = _dumps(
                {
                    "digest": self.digest,
                    "provider": provider,
                    "capability": capability,
                    "model": model_dict(model, locale),
                }
            )
            self._active[key] = body
        return body


def model_dict(model: Model, locale: str | None) -> dict[str, Any]:
    """``Model.as_dict()`` with ``display_name`` in ``locale`` (``display_names`` has them all)."""
    data = model.as_dict()
    if locale and model.display_names:
        data["display_name"] = model.display_name_for(locale)
    return data


class ManifestWatcher:
    """Loads ``source`` and re-checks it every ``interval`` seconds in a thread.

    :attr:`snapshot` is ``None`` until the first good manifest, then always the last
    good one: a bad reload is counted and logged, and the old snapshot keeps serving.
    """

    def __init__(
        self,
        source: str,
        interval: float = 5.0,
        *,
        expect_digest: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.source = source
        self.interval = interval
        self._expect = expect_digest
        self._timeout = timeout
        self._registry: Registry | None = None
        self.snapshot: Snapshot | None = None
        self.reloads = 0
        self.failures = 0
        self.last_error: str | None = None
        self.last_success: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Load or re-check once; returns whether a new manifest is now serving."""
        try:
            if self._registry is None:
                self._registry = Registry.load(
                    self.source, expect_digest=self._expect, timeout=self._timeout
                )
                changed = True
            else:
                changed = self._registry.refresh(raise_errors=True)
        except ManifestError as exc:
            self.failures += 1
            self.last_error = str(exc)
            kept = self.snapshot.digest if self.snapshot is not None else None
            log.warning(
                "manifest reload failed",
                extra={"fields": {"error": str(exc), "serving": kept}},
            )
            return False
        self.last_error = None
        self.last_success = time.time()
        if changed:
            snap = Snapshot(self._registry)
            self.snapshot = snap  # one reference swap: requests see old or new, never a mix
            self.reloads += 1
            log.info("manifest loaded", extra={"fields": {"digest": snap.digest}})
        return changed

    def start(self) -> None:
        """Poll now, then every ``interval`` seconds until :meth:`stop`."""

        def loop() -> None:
            self.poll()
            while not self._stop.wait(self.interval):
                self.poll()

        self._thread = threading.Thread(target=loop, name="regctl-serve-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the polling thread (waits for a poll in progress)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
