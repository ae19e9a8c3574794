"""The runtime client: load a lock manifest, resolve a model, get its key, price a call.

Standard library only, so that apps pay nothing for the authoring side::

    from regctl.client import Registry

    registry = Registry.load("manifest.lock.json")       # or an https:// URL
    chosen = registry.resolve("chat", provider="openai")
    client = openai.OpenAI(**chosen.openai_kwargs())
    client.chat.completions.create(**chosen.call_kwargs(), messages=[...])
    registry.cost(chosen.model, input_tokens=1200, output_tokens=300)

Errors are the documented classes in :mod:`regctl.client.errors`.

May import: the standard library, :mod:`regctl.base` and :mod:`regctl.io` (Jinja2 and
botocore only lazily, for templates and ``s3://`` sources).
"""

import importlib
from typing import TYPE_CHECKING, Any

from regctl.client.errors import (
    BadQuery,
    BudgetExceeded,
    CallFailed,
    CapabilityMismatch,
    ClientError,
    DigestMismatch,
    InvalidManifest,
    LimitError,
    LimitsUnavailable,
    MalformedSecretReference,
    ManifestError,
    ManifestNotFound,
    ManifestUnavailable,
    ModelDeprecated,
    ModelInactive,
    NoActiveModel,
    NoCredentials,
    ParamsOverLimit,
    PricingError,
    ProviderDisabled,
    RateLimited,
    ResolutionError,
    SecretAccessDenied,
    SecretConfigError,
    SecretError,
    SecretFileError,
    SecretNotFound,
    SecretNotSet,
    SecretPluginError,
    SecretStoreUnavailable,
    TemplatePinUnusable,
    UnknownCapability,
    UnknownModel,
    UnknownProvider,
    UnknownSecretScheme,
    UnknownTemplate,
    UnsupportedVersion,
)

if TYPE_CHECKING:
    from regctl.client.registry import Registry
    from regctl.client.resolved import Notice, Resolved
    from regctl.client.types import Model, Provider, SecretStr

# Imported on first use: the validator's template check imports ``regctl.client._sandbox``,
# which runs this file; loading the registry machinery there cost ~15 ms of every
# ``regctl validate`` (start-up, issue 26). ``from regctl.client import Registry`` is unchanged.
_LAZY = {
    "Registry": "regctl.client.registry",
    "Notice": "regctl.client.resolved",
    "Resolved": "regctl.client.resolved",
    "Model": "regctl.client.types",
    "Provider": "regctl.client.types",
    "SecretStr": "regctl.client.secretstr",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def resolve_secret(ref: str, *, refresh: bool = False) -> "SecretStr":
    """Resolve one secret reference (``env:``, ``file:``, ``vault:``, ``aws-sm:`` or a
    plugin scheme); ``refresh`` reads a store's value again even when it is cached."""
    from regctl.client.secrets import resolve_secret as _resolve

    return _resolve(ref, refresh=refresh)


__all__ = [
    "BadQuery",
    "BudgetExceeded",
    "CallFailed",
    "CapabilityMismatch",
    "ClientError",
    "DigestMismatch",
    "InvalidManifest",
    "LimitError",
    "LimitsUnavailable",
    "MalformedSecretReference",
    "ManifestError",
    "ManifestNotFound",
    "ManifestUnavailable",
    "Model",
    "ModelDeprecated",
    "ModelInactive",
    "NoActiveModel",
    "NoCredentials",
    "Notice",
    "ParamsOverLimit",
    "PricingError",
    "Provider",
    "ProviderDisabled",
    "RateLimited",
    "Registry",
    "ResolutionError",
    "Resolved",
    "SecretAccessDenied",
    "SecretConfigError",
    "SecretError",
    "SecretFileError",
    "SecretNotFound",
    "SecretNotSet",
    "SecretPluginError",
    "SecretStoreUnavailable",
    "SecretStr",
    "TemplatePinUnusable",
    "UnknownCapability",
    "UnknownModel",
    "UnknownProvider",
    "UnknownSecretScheme",
    "UnknownTemplate",
    "UnsupportedVersion",
    "resolve_secret",
]
