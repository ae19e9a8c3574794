"""The lock manifest's shape as pydantic models, used only to generate its JSON Schema.

The compiler builds plain dicts (faster, and the exact bytes matter); the tests
check every compiled manifest against the schema generated from these models,
so the two cannot drift apart. See ``docs/manifest.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from regctl.pipeline.schema import (
    APIS,
    Budget,
    CallDefaults,
    Failover,
    Limits,
    LimitsPolicy,
    Pricing,
    RateLimits,
    Supports,
)

Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManifestSource(_Closed):
    digest: Digest
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{40}$")] | None


class ManifestPolicy(_Closed):
    deprecation_warning_days: int
    failover: Failover | None = Field(
        default=None, description="absent: the client's defaults (docs/reference.md)"
    )
    limits: LimitsPolicy | None = Field(default=None, description="absent: memory, fail open")


class ManifestRegistry(_Closed):
    name: str | None = None
    capabilities: list[str]
    secret_schemes: list[str]
    policy: ManifestPolicy
    budgets: list[Budget] | None = Field(
        default=None, description="the registry's budgets, enforced at call time by acquire()"
    )


class ManifestProvider(_Closed):
    id: str
    display_name: str
    display_names: dict[str, str] | None = Field(
        default=None, description="language tag -> name, when the registry gives one per language"
    )
    api: Literal[APIS]  # type: ignore[valid-type]
    base_url: str | None = None
    enabled: bool
    credentials: list[str] = Field(description="secret references, never values")
    allow_shared_credentials: bool
    shared_key_groups: list[str] | None = Field(
        default=None,
        description="caller groups that may use the shared chain; absent: every caller",
    )
    defaults: CallDefaults
    rate_limits: RateLimits | None = None
    region: str | None = None
    description: str | None = None
    docs_url: str | None = None
    labels: dict[str, str] | None = None


class ManifestModel(_Closed):
    provider: str
    id: str
    upstream_id: str
    display_name: str
    display_names: dict[str, str] | None = Field(
        default=None, description="language tag -> name, when the registry gives one per language"
    )
    capabilities: list[str]
    active: list[str]
    supports: Supports
    defaults: CallDefaults
    limits: Limits | None = None
    pricing: Pricing | None = None
    rate_limits: RateLimits | None = None
    released: IsoDate | None = None
    deprecated: IsoDate | None = None
    description: str | None = None
    docs_url: str | None = None
    labels: dict[str, str] | None = None


class ManifestVariable(_Closed):
    required: bool
    default: Any = None


class ManifestTemplate(_Closed):
    id: str
    description: str | None = None
    capability: str | None = None
    model: str | None = None
    variables: dict[str, ManifestVariable] = {}
    system: str | None = None
    user: str | None = None
    params: CallDefaults | None = None


class Manifest(_Closed):
    """A compiled, sealed registry for one environment (docs/manifest.md)."""

    apiVersion: Literal["regctl/v1"]
    kind: Literal["Manifest"]
    environment: str | None
    digest: Digest
    source: ManifestSource
    registry: ManifestRegistry
    providers: dict[str, ManifestProvider]
    models: dict[str, ManifestModel]
    active: dict[str, dict[str, str]]
    defaults: dict[str, str]
    fallbacks: dict[str, list[str]]
    templates: dict[str, ManifestTemplate]
