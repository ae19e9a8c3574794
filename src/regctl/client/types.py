"""Read-only value objects handed out by :class:`regctl.client.Registry`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from regctl.client._frozen import _Frozen
from regctl.client.secretstr import SecretStr

__all__ = ["Model", "Provider", "SecretStr", "freeze", "pick_name", "thaw"]


def freeze(value: Any) -> Any:
    """A deep read-only copy of JSON data: dicts become mappings, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON-serialisable data back from :func:`freeze` output."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def pick_name(default: str, names: Mapping[str, str], locale: str | None) -> str:
    """The name for ``locale`` (``fa``, ``fa-IR``, ``fa_IR.UTF-8``): exact tag, then its
    language, then ``default``."""
    if not locale or not names:
        return default
    tag = locale.split(".")[0].split("@")[0].replace("_", "-")
    lowered = {k.lower(): v for k, v in names.items()}
    return lowered.get(tag.lower()) or lowered.get(tag.split("-")[0].lower()) or default


class Provider(_Frozen):
    """A provider entry of the manifest (see docs/manifest.md, "Provider entry")."""

    __slots__ = (
        "_lang",
        "allow_shared_credentials",
        "api",
        "base_url",
        "credentials",
        "defaults",
        "description",
        "display_name",
        "display_names",
        "docs_url",
        "enabled",
        "id",
        "labels",
        "rate_limits",
        "region",
        "shared_key_groups",
    )

    _lang: str
    id: str
    display_name: str
    display_names: Mapping[str, str]
    """Language tag -> name, when the registry gives one per language (else empty)."""
    api: str
    base_url: str | None
    enabled: bool
    credentials: tuple[str, ...]
    allow_shared_credentials: bool
    shared_key_groups: tuple[str, ...] | None
    """Caller groups that may use the shared chain; ``None``: every caller."""
    defaults: Mapping[str, Any]
    rate_limits: Mapping[str, int]
    region: str | None
    """Where the provider serves this account (``us-east-1``), when the registry says."""
    description: str | None
    docs_url: str | None
    labels: Mapping[str, str]

    def __init__(self, entry: Mapping[str, Any], lang: str = "en") -> None:
        s = object.__setattr__
        s(self, "_lang", lang)  # the registry's language, for api_key()'s errors
        s(self, "id", entry["id"])
        s(self, "region", entry.get("region"))
        s(self, "display_name", entry.get("display_name", entry["id"]))
        s(self, "display_names", freeze(entry.get("display_names") or {}))
        s(self, "api", entry.get("api", "openai"))
        s(self, "base_url", entry.get("base_url"))
        s(self, "enabled", bool(entry.get("enabled", True)))
        s(self, "credentials", tuple(entry.get("credentials", ())))
        s(self, "allow_shared_credentials", bool(entry.get("allow_shared_credentials", True)))
        groups = entry.get("shared_key_groups")
        s(self, "shared_key_groups", None if groups is None else tuple(groups))
        s(self, "defaults", freeze(entry.get("defaults", {})))
        s(self, "rate_limits", freeze(entry.get("rate_limits", {})))
        s(self, "description", entry.get("description"))
        s(self, "docs_url", entry.get("docs_url"))
        s(self, "labels", freeze(entry.get("labels", {})))

    def display_name_for(self, locale: str | None) -> str:
        """The name in ``locale`` (``"fa"``, ``"fa-IR"``), else :attr:`display_name`."""
        return pick_name(self.display_name, self.display_names, locale)

    def api_key(
        self,
        personal: str | SecretStr | None = None,
        group: str | Iterable[str] | None = None,
        *,
        refresh: bool = False,
    ) -> SecretStr:
        """The key to call with: ``personal`` if given, else the credential chain.

        The chain is used only when ``allow_shared_credentials`` and, if the provider
        lists ``shared_key_groups``, only for a caller whose ``group`` (one name or
        several) is among them; the first reference that resolves wins. Values from a
        secret store (``vault:``, ``aws-sm:``) are cached for ``$REGCTL_SECRETS_TTL``
        seconds (default 300); ``refresh=True`` reads them again, e.g. after the provider
        answered 401 because the key was rotated. Raises
        :class:`~regctl.client.NoCredentials` naming the provider and every reference
        tried, or the groups allowed (never a value).
        """
        # types -> secrets only: secrets knows a provider by its fields, never this class.
        from regctl.client.errors import NoCredentials
        from regctl.client.secrets import provider_key

        try:
            return provider_key(self, personal, group, refresh=refresh)
        except NoCredentials as exc:
            if self._lang != "en":  # said in the language of the registry it came from
                from regctl.base.i18n import translate

                exc.args = (translate(exc.args[0], self._lang),)
            raise

    def __repr__(self) -> str:
        return f"Provider(id={self.id!r}, api={self.api!r}, enabled={self.enabled!r})"


class Model(_Frozen):
    """A model entry of the manifest (see docs/manifest.md, "Model entry").

    ``key`` is ``"<provider>/<id>"``; ``active`` lists the capabilities it is active for.
    """

    __slots__ = (
        "active",
        "capabilities",
        "defaults",
        "deprecated",
        "description",
        "display_name",
        "display_names",
        "docs_url",
        "id",
        "key",
        "labels",
        "limits",
        "pricing",
        "provider",
        "rate_limits",
        "released",
        "supports",
        "upstream_id",
    )

    provider: str
    id: str
    key: str
    upstream_id: str
    display_name: str
    display_names: Mapping[str, str]
    capabilities: tuple[str, ...]
    active: tuple[str, ...]
    supports: Mapping[str, bool]
    defaults: Mapping[str, Any]
    limits: Mapping[str, int]
    pricing: Mapping[str, Any]
    rate_limits: Mapping[str, int]
    released: str | None
    deprecated: str | None
    description: str | None
    docs_url: str | None
    labels: Mapping[str, str]

    def __init__(self, entry: Mapping[str, Any]) -> None:
        s = object.__setattr__
        s(self, "provider", entry["provider"])
        s(self, "id", entry["id"])
        s(self, "key", f"{entry['provider']}/{entry['id']}")
        s(self, "upstream_id", entry.get("upstream_id", entry["id"]))
        s(self, "display_name", entry.get("display_name", entry["id"]))
        s(self, "display_names", freeze(entry.get("display_names") or {}))
        s(self, "capabilities", tuple(entry.get("capabilities", ())))
        s(self, "active", tuple(entry.get("active", ())))
        s(self, "supports", freeze(entry.get("supports", {})))
        s(self, "defaults", freeze(entry.get("defaults", {})))
        s(self, "limits", freeze(entry.get("limits", {})))
        s(self, "pricing", freeze(entry.get("pricing", {})))
        s(self, "rate_limits", freeze(entry.get("rate_limits", {})))
        s(self, "released", entry.get("released"))
        s(self, "deprecated", entry.get("deprecated"))
        s(self, "description", entry.get("description"))
        s(self, "docs_url", entry.get("docs_url"))
        s(self, "labels", freeze(entry.get("labels", {})))

    def display_name_for(self, locale: str | None) -> str:
        """The name in ``locale`` (``"fa"``, ``"fa-IR"``, ``"fa_IR.UTF-8"``): that tag's
        entry of ``display_names``, else its language's, else :attr:`display_name`."""
        return pick_name(self.display_name, self.display_names, locale)

    def is_active(self, capability: str | None = None) -> bool:
        """Active for ``capability``, or for anything when it is ``None``."""
        return bool(self.active) if capability is None else capability in self.active

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain JSON data (for printing)."""
        return {name: thaw(getattr(self, name)) for name in self.__slots__}

    def __repr__(self) -> str:
        return f"Model({self.key!r}, active={list(self.active)!r})"
