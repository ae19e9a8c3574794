"""One verified manifest, indexed for lookups. Never changed after construction."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from regctl.base.i18n import msg
from regctl.client import _policy
from regctl.client._shape import MODEL, PROVIDER, check_entry, check_top
from regctl.client._verify import ManifestData
from regctl.client.types import Model, Provider, freeze


class State:
    """Indexes over one :class:`ManifestData`; ``Model`` objects are built on first use."""

    __slots__ = (
        "active",
        "capabilities",
        "data",
        "defaults",
        "fallbacks",
        "model_cache",
        "providers",
        "source",
        "stale_reason",
        "stamp",
        "templates",
    )

    def __init__(
        self,
        data: ManifestData,
        source: str,
        stamp: Any,
        stale_reason: str | None = None,
        lang: str = "en",
    ) -> None:
        top = data.top
        self.data = data
        self.source = source
        self.stamp = stamp
        self.stale_reason = stale_reason
        check_top(top, source)
        for pid, entry in top["providers"].items():
            check_entry(entry, PROVIDER, functools.partial(_provider_entry, source, pid))
        self.providers: dict[str, Provider] = {
            pid: Provider(entry, lang) for pid, entry in top["providers"].items()
        }
        enabled = {pid for pid, p in self.providers.items() if p.enabled}
        self.active: dict[str, dict[str, str]] = {
            pid: dict(caps) for pid, caps in top["active"].items() if pid in enabled
        }
        caps = top["registry"]["capabilities"]
        self.capabilities: frozenset[str] = frozenset(caps)
        self.defaults: Mapping[str, str] = freeze(top["defaults"])
        self.fallbacks: Mapping[str, tuple[str, ...]] = freeze(top["fallbacks"])
        self.templates: Mapping[str, Mapping[str, Any]] = freeze(top["templates"])
        self.model_cache: dict[str, Model] = {}
        _policy.of(data)  # a malformed failover/limits/budget policy fails the load

    def model(self, key: str) -> Model | None:
        """The model for ``provider/model`` or ``None``."""
        m = self.model_cache.get(key)
        if m is None:
            entry = self.data.model_entry(key)
            if entry is None:
                return None
            m = self._build(key, entry)
        return m

    def all_models(self) -> list[Model]:
        """Every model, in key order."""
        cache = self.model_cache
        return [
            cache.get(key) or self._build(key, entry)
            for key, entry in self.data.all_models().items()
        ]

    def _build(self, key: str, entry: Any) -> Model:
        check_entry(entry, MODEL, lambda: _model_entry(self.source, key))
        m = Model(entry)
        # A concurrent first lookup may build an equal object; either one is fine.
        return self.model_cache.setdefault(key, m)


# Built only when an entry is malformed: every model entry is checked, most of them
# on the hot path of a first lookup.
def _provider_entry(source: str, pid: str) -> str:
    return msg(
        "manifest {source}: malformed provider entry {provider}", source=source, provider=repr(pid)
    )


def _model_entry(source: str, key: str) -> str:
    return msg("manifest {source}: malformed model entry {model}", source=source, model=repr(key))
