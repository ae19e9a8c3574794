"""Stage 2: the typed document kinds (pydantic v2); docs/reference.md is generated from them.

Each field's docstring is its documentation (``use_attribute_docstrings``): the JSON
Schemas, ``regctl explain`` and docs/reference.md all read it. Every model forbids
unknown fields so that a typo is an error, not a silently ignored setting. Numbers and
booleans are strict (``"true"`` in quotes is a string, not a bool); dates accept YAML
dates and ISO strings. Cross-document checks (references, the single-active rule) live
in :mod:`regctl.pipeline.rules`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from regctl.base.i18n import msg
from regctl.pipeline.vocab import (
    API_VERSION,
    APIS,
    CAPABILITIES,
    DEFAULT_BASE_URLS,
    ENV_NAME,
    HTTP_URL,
    LOCALE,
    MODEL_ID,
    PROVIDER_ID,
    TEMPLATE_ID,
    ModelBehaviour,
    ProviderBehaviour,
    base_url_ok,
    display_default,
    limits_ok,
    template_target_ok,
)

#: A caller group of ``shared_key_groups``: a Django group name, ``user:NAME``, ``staff``...
KEY_GROUP = r"^[^\x00-\x1f\x7f]{1,150}$"

__all__ = [
    "APIS",
    "API_VERSION",
    "CAPABILITIES",
    "DEFAULT_BASE_URLS",
    "ENV_NAME",
    "HTTP_URL",
    "KEY_GROUP",
    "KINDS",
    "LOCALE",
    "MODEL_ID",
    "PROVIDER_ID",
    "TEMPLATE_ID",
    "display_default",
]

Date = Annotated[dt.date, Field(strict=False)]
Url = Annotated[str, Field(pattern=HTTP_URL)]
PositiveInt = Annotated[int, Field(gt=0)]
Price = Annotated[float, Field(ge=0)]
Name = Annotated[str, Field(min_length=1)]
#: One name, or one per language (``{en: GPT-4o, fa: جی‌پی‌تی ۴o}``).
DisplayName = (
    Name | Annotated[dict[Annotated[str, Field(pattern=LOCALE)], Name], Field(min_length=1)]
)


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )


class CallDefaults(Strict):
    """Call parameters: the provider's, overridden by the model's, overridden per call."""

    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    """Sampling temperature from 0 to 2 sent with each call."""
    max_tokens: PositiveInt | None = None
    """Upper bound on the tokens a call may generate."""


class RateLimits(Strict):
    """Request and token rates allowed; ``Resolved.acquire()`` enforces them at call time
    (per process, or across a fleet with a Redis backend: see ``policy.limits``)."""

    rpm: PositiveInt | None = None
    """Requests per minute the account may send."""
    tpm: PositiveInt | None = None
    """Tokens per minute the account may send."""


class Limits(Strict):
    """Token limits of a model."""

    context_window: PositiveInt | None = None
    """Tokens the model reads at most (prompt plus output)."""
    max_output_tokens: PositiveInt | None = None
    """Tokens the model writes at most in one answer; not above context_window."""

    @model_validator(mode="after")
    def _output_fits(self) -> Limits:
        cw, mo = self.context_window, self.max_output_tokens
        if not limits_ok(cw, mo):
            raise ValueError(
                msg("max_output_tokens ({mo}) exceeds context_window ({cw})", mo=mo, cw=cw)
            )
        return self


class Supports(Strict):
    """Features a model supports (unset: unknown)."""

    system_prompt: StrictBool | None = None
    """Whether the model takes a system message (false: templates fold it into the first user
    message)."""
    streaming: StrictBool | None = None
    """Whether the model can stream its answer."""
    tools: StrictBool | None = None
    """Whether the model can call tools (functions)."""
    json_mode: StrictBool | None = None
    """Whether the model can be asked for JSON output."""


class Pricing(Strict):
    """USD per 1,000,000 tokens."""

    input_per_mtok: Price | None = None
    """USD per 1,000,000 input tokens."""
    output_per_mtok: Price | None = None
    """USD per 1,000,000 output tokens."""
    cached_input_per_mtok: Price | None = None
    """USD per 1,000,000 cached input tokens (the input price when absent)."""
    currency: Literal["USD"] = "USD"
    """Always USD."""


class ModelBody(ModelBehaviour, Strict):
    """A model as written inline under its provider's ``models``."""

    id: Annotated[str, Field(pattern=MODEL_ID)]
    """The model's id within its provider; `provider/id` is its key everywhere."""
    upstream_id: Name | None = None
    """The id sent to the provider's API when it differs from `id` (e.g. a dated snapshot)."""
    display_name: DisplayName
    """Human-readable name, or a map of locale to name (`{en: GPT-4o, fa: ...}`)."""
    capabilities: Annotated[list[Name], Field(min_length=1)]
    """What the model can do: names from the capability vocabulary (chat, vision, embedding,
    ...) or the Registry's `capabilities`."""
    active: StrictBool | list[Name] = False
    """true (active for all its capabilities), false, or the list of capabilities it is active
    for. At most one active model per provider and capability."""
    limits: Limits | None = None
    """Context and output token limits."""
    supports: Supports | None = None
    """Features the model supports."""
    pricing: Pricing | None = None
    """List prices in USD per 1,000,000 tokens."""
    defaults: CallDefaults | None = None
    """Call parameters for this model, over the provider's."""
    rate_limits: RateLimits | None = None
    """Rate limits for this model, over the provider's."""
    released: Date | None = None
    """Release date (YYYY-MM-DD)."""
    deprecated: Date | None = None
    """Date the vendor retires the model (YYYY-MM-DD); active past it is an error, close to it
    a warning."""
    description: str | None = None
    """Free text."""
    docs_url: Url | None = None
    """Link to the vendor's documentation (http or https)."""
    labels: dict[str, str] = {}
    """Free-form string labels (team, tier, ...)."""


class ModelDoc(ModelBody):
    """A model as its own document, naming its provider."""

    apiVersion: Literal["regctl/v1"]
    """Always `regctl/v1`."""
    kind: Literal["Model"]
    """`Model`: one model as its own document."""
    provider: Annotated[str, Field(pattern=PROVIDER_ID)]
    """The id of the Provider this model belongs to."""


class ProviderFields(ProviderBehaviour, Strict):
    """The fields of a Provider document besides its models."""

    apiVersion: Literal["regctl/v1"]
    """Always `regctl/v1`."""
    kind: Literal["Provider"]
    """`Provider`."""
    id: Annotated[str, Field(pattern=PROVIDER_ID)]
    """Lowercase id (letters, digits, `.`, `_`, `-`), used in `provider/model` keys."""
    display_name: DisplayName
    """Human-readable name, or a map of locale to name (`{en: GPT-4o, fa: ...}`)."""
    api: Literal[
        "openai", "anthropic", "gemini", "azure-openai", "bedrock", "openai-compatible"
    ] = "openai"
    """The wire protocol the client speaks to this provider."""
    base_url: Url | None = None
    """API endpoint; required for `openai-compatible` and `azure-openai` (others have a
    default)."""
    enabled: StrictBool = True
    """false keeps the provider in the registry but out of resolution."""
    credentials: list[str] = []
    """Secret references tried in order (`env:NAME`, `file:PATH`, or a declared plugin scheme);
    never a key itself."""
    allow_shared_credentials: StrictBool = True
    """false: each user must bring a personal key; the shared chain is not used."""
    shared_key_groups: list[Annotated[str, Field(pattern=KEY_GROUP)]] | None = None
    """Caller groups that may use the shared chain (`api_key(group=...)`); unset: every caller.
    A personal key is used whatever the group. Needs `allow_shared_credentials: true`."""
    defaults: CallDefaults | None = None
    """Call parameters for every model of the provider."""
    rate_limits: RateLimits | None = None
    """Rate limits of the provider account."""
    region: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] | None = None
    """Where the provider serves this account (`us-east-1`, `eu`): LiteLLM's
    `region_name`."""
    description: str | None = None
    """Free text."""
    docs_url: Url | None = None
    """Link to the provider's documentation (http or https)."""
    labels: dict[str, str] = {}
    """Free-form string labels."""

    @model_validator(mode="after")
    def _base_url_needed(self) -> ProviderFields:
        if not base_url_ok(self.api, self.base_url):
            raise ValueError(msg("base_url is required for api '{api}'", api=self.api))
        return self

    @model_validator(mode="after")
    def _groups_need_shared(self) -> ProviderFields:
        # A group list on a provider that shares with nobody would read as a grant it is not.
        if self.shared_key_groups is not None and not self.allow_shared_credentials:
            raise ValueError(
                msg("shared_key_groups needs allow_shared_credentials: true (it is false)")
            )
        return self


class ProviderDoc(ProviderFields):
    """A provider with its inline models."""

    models: list[Any] = []  # validated one by one as ModelBody, for per-model errors
    """The provider's models, each validated on its own (see ModelBody)."""


class Failover(Strict):
    """How the client reacts to failing calls (``Registry.failover()``, ``Registry.call()``).

    A model that fails more than ``allowed_fails`` times within ``window_seconds`` cools
    down: ``failover()`` skips it for ``cooldown_seconds`` (or the provider's
    ``Retry-After``, up to ``max_cooldown_seconds``); then one probe call decides.
    """

    allowed_fails: Annotated[int, Field(ge=0, le=1000)] = 3
    """Failures tolerated within `window_seconds`; the next one cools the model down
    (LiteLLM's `allowed_fails`)."""
    window_seconds: Annotated[float, Field(gt=0, le=86400)] = 60
    """How far back failures are counted."""
    cooldown_seconds: Annotated[float, Field(gt=0, le=86400)] = 5
    """How long a model is skipped once it cools down (LiteLLM's `cooldown_time`)."""
    max_cooldown_seconds: Annotated[float, Field(gt=0, le=86400)] = 300
    """Upper bound on a cooldown taken from a provider's `Retry-After`."""
    num_retries: Annotated[int, Field(ge=0, le=20)] = 2
    """Retries of a retryable failure (429, 5xx, timeout, connection error) on the same
    model before `call()` moves to the next candidate (LiteLLM's `num_retries`)."""
    backoff_seconds: Annotated[float, Field(ge=0, le=60)] = 0.5
    """First retry delay; doubled on each retry, with full jitter."""
    max_backoff_seconds: Annotated[float, Field(ge=0, le=600)] = 8
    """Longest wait before a retry; a `Retry-After` above it moves to the next candidate."""


class LimitsPolicy(Strict):
    """Where rate limits and budget counters live."""

    backend: Annotated[str, Field(pattern=r"^(memory|rediss?://[^\s@/]+(/[0-9]{1,2})?)$")] = (
        "memory"
    )
    """`memory` (each process counts its own calls) or `redis://HOST:PORT/DB` (a fleet
    shares the counters); `$REGCTL_LIMITS_URL` overrides it. No password here: put it in
    `$REGCTL_LIMITS_URL`."""
    on_backend_error: Literal["open", "closed"] = "open"
    """When the backend cannot be reached: `open` admits the call (and logs a warning),
    `closed` refuses it."""


class Policy(Strict):
    """Validation policy of the registry, and how its clients fail over and limit calls."""

    deprecation_warning_days: Annotated[int, Field(ge=0)] = 30
    """Warn this many days before an active model's `deprecated` date."""
    failover: Failover | None = None
    """Cooldowns and retries of `Registry.failover()` and `Registry.call()` (defaults when
    absent)."""
    limits: LimitsPolicy | None = None
    """The backend of rate limits and budget counters (defaults: `memory`, fail open)."""


class Budget(Strict):
    """A monthly spending limit over the usage events that match ``scope``.

    ``scope`` is ``all``, ``provider:ID``, ``model:PROVIDER/MODEL``, ``env:NAME`` or
    ``template:ID`` (checked by the ``unknown-reference`` rule, with its position).
    """

    scope: Name
    """What the budget counts: `all`, or `provider:ID`, `model:PROVIDER/MODEL`, `env:NAME`,
    `template:ID`."""
    monthly: Annotated[float, Field(gt=0)]
    """Limit in USD per calendar month."""
    currency: Literal["USD"] = "USD"
    """Always USD."""
    warn_at: Annotated[float, Field(gt=0, le=1)] = 0.8
    """Fraction of the limit (0 to 1] at which a warning is raised."""
    on_exceed: Literal["refuse", "fallback", "warn"] = "warn"
    """At call time, once the month's spend reaches the limit: `refuse` (`acquire()` raises
    `BudgetExceeded`), `fallback` (the next candidate within budget is used) or `warn`
    (log and go on; `regctl spend --check` still fails)."""


class RegistryDoc(Strict):
    """Registry-wide settings: defaults, fallbacks, policy, deploy targets, budgets."""

    apiVersion: Literal["regctl/v1"]
    """Always `regctl/v1`."""
    kind: Literal["Registry"]
    """`Registry`: at most one per registry."""
    name: Name | None = None
    """Name of the registry, copied into the manifest."""
    description: str | None = None
    """Free text."""
    capabilities: list[Name] = []
    """Capability names added to the built-in vocabulary."""
    defaults: dict[str, str] = {}
    """Capability -> default provider id for resolution."""
    fallbacks: dict[str, list[str]] = {}
    """Capability -> provider ids tried in order after the default."""
    policy: Policy = Policy()
    """Validation policy."""
    targets: dict[str, str] = {}
    """Environment (or `default`) -> deploy target URI (`file:PATH` relative to the repository
    root, or `http(s)://`)."""
    secret_schemes: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9+.-]*$")]] = []
    """Credential schemes served by plugins (besides the built-in `env`, `file`, `vault` and
    `aws-sm`)."""
    budgets: list[Budget] = []
    """Monthly spending limits."""


class EnvironmentDoc(Strict):
    """Overlays merged by id onto the base registry; each field below is checked on merge."""

    apiVersion: Literal["regctl/v1"]
    """Always `regctl/v1`."""
    kind: Literal["Environment"]
    """`Environment`: an overlay on the base registry."""
    id: Annotated[str, Field(pattern=PROVIDER_ID)]
    """Environment id (`dev`, `prod`, ...), named by `--env`."""
    description: str | None = None
    """Free text."""
    providers: dict[str, dict[str, Any]] = {}
    """Provider id -> fields to override (and `models` by id); merged onto the base."""
    defaults: dict[str, str] = {}
    """Capability -> default provider id in this environment."""
    fallbacks: dict[str, list[str]] = {}
    """Capability -> fallback provider ids in this environment."""


class Variable(Strict):
    """A variable of a prompt template."""

    required: StrictBool = False
    """Rendering fails when a required variable has no value."""
    default: Any = None
    """Value used when none is given."""
    description: str | None = None
    """What the variable holds."""


class TemplateDoc(Strict):
    """A prompt template: Jinja2 system and user text, and the model it runs on."""

    apiVersion: Literal["regctl/v1"]
    """Always `regctl/v1`."""
    kind: Literal["PromptTemplate"]
    """`PromptTemplate`."""
    id: Annotated[str, Field(pattern=TEMPLATE_ID)]
    """Template id."""
    description: str | None = None
    """Free text."""
    capability: Name | None = None
    """Resolve the model through this capability (the fallback when `model` is set too)."""
    model: Name | None = None
    """Pin a model as `provider/model`."""
    variables: dict[str, Variable] = {}
    """Variables the Jinja2 text may use."""
    system: str | None = None
    """Jinja2 text of the system message."""
    user: str | None = None
    """Jinja2 text of the user message."""
    params: CallDefaults | None = None
    """Call parameters over the model's."""

    @model_validator(mode="after")
    def _target(self) -> TemplateDoc:
        # Both together: ``model`` is the preferred pin, ``capability`` the fallback
        # when the pin is inactive, deprecated or its provider disabled.
        if not template_target_ok(self.capability, self.model):
            raise ValueError(msg("a template names 'model', 'capability', or both"))
        return self


KINDS: dict[str, type[Strict]] = {
    "Provider": ProviderDoc,
    "Model": ModelDoc,
    "Registry": RegistryDoc,
    "Environment": EnvironmentDoc,
    "PromptTemplate": TemplateDoc,
}
