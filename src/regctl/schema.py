"""Stage 2: the typed document kinds of SPEC §2 (pydantic v2).

Every model forbids unknown fields so that a typo is an error, not a silently
ignored setting. Numbers and booleans are strict (``"true"`` in quotes is a
string, not a bool); dates accept YAML dates and ISO strings. Cross-document
checks (references, the single-active rule) live in :mod:`regctl.rules`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

API_VERSION = "regctl/v1"

PROVIDER_ID = r"^[a-z0-9][a-z0-9._-]{0,62}$"
MODEL_ID = r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$"
TEMPLATE_ID = r"^[a-z0-9][a-z0-9._-]{0,62}$"
HTTP_URL = r"^https?://[^\s/$.?#][^\s]*$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"  # the NAME of an env:NAME secret reference

CAPABILITIES = (
    "chat",
    "completion",
    "embedding",
    "image",
    "vision",
    "audio",
    "speech",
    "transcription",
    "code",
    "tools",
    "reasoning",
    "rerank",
    "moderation",
)
APIS = ("openai", "anthropic", "gemini", "azure-openai", "bedrock", "openai-compatible")
DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
}

Date = Annotated[dt.date, Field(strict=False)]
Url = Annotated[str, Field(pattern=HTTP_URL)]
PositiveInt = Annotated[int, Field(gt=0)]
Price = Annotated[float, Field(ge=0)]
Name = Annotated[str, Field(min_length=1)]
#: A language tag: ``en``, ``fa``, ``pt-BR``.
LOCALE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
#: One name, or one per language (``{en: GPT-4o, fa: جی‌پی‌تی ۴o}``).
DisplayName = (
    Name | Annotated[dict[Annotated[str, Field(pattern=LOCALE)], Name], Field(min_length=1)]
)


def display_default(name: str | dict[str, str]) -> str:
    """The single name of a :data:`DisplayName`: itself, or its ``en`` entry (else the first)."""
    if isinstance(name, str):
        return name
    return name.get("en") or name[min(name)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CallDefaults(Strict):
    """Call parameters: the provider's, overridden by the model's, overridden per call."""

    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    max_tokens: PositiveInt | None = None


class RateLimits(Strict):
    rpm: PositiveInt | None = None
    tpm: PositiveInt | None = None


class Limits(Strict):
    context_window: PositiveInt | None = None
    max_output_tokens: PositiveInt | None = None

    @model_validator(mode="after")
    def _output_fits(self) -> Limits:
        cw, mo = self.context_window, self.max_output_tokens
        if cw is not None and mo is not None and mo > cw:
            raise ValueError(f"max_output_tokens ({mo}) exceeds context_window ({cw})")
        return self


class Supports(Strict):
    system_prompt: StrictBool | None = None
    streaming: StrictBool | None = None
    tools: StrictBool | None = None
    json_mode: StrictBool | None = None


class Pricing(Strict):
    """USD per 1,000,000 tokens."""

    input_per_mtok: Price | None = None
    output_per_mtok: Price | None = None
    cached_input_per_mtok: Price | None = None
    currency: Literal["USD"] = "USD"


class ModelBody(Strict):
    """A model as written inline under its provider's ``models``."""

    id: Annotated[str, Field(pattern=MODEL_ID)]
    upstream_id: Name | None = None
    display_name: DisplayName
    capabilities: Annotated[list[Name], Field(min_length=1)]
    active: StrictBool | list[Name] = False
    limits: Limits | None = None
    supports: Supports | None = None
    pricing: Pricing | None = None
    defaults: CallDefaults | None = None
    rate_limits: RateLimits | None = None
    released: Date | None = None
    deprecated: Date | None = None
    description: str | None = None
    docs_url: Url | None = None
    labels: dict[str, str] = {}

    def active_for(self) -> list[str]:
        """The capabilities this model is active for (``true`` means all of them)."""
        if self.active is True:
            return list(self.capabilities)
        if self.active is False:
            return []
        return list(self.active)


class ModelDoc(ModelBody):
    """A model as its own document, naming its provider."""

    apiVersion: Literal["regctl/v1"]
    kind: Literal["Model"]
    provider: Annotated[str, Field(pattern=PROVIDER_ID)]


class ProviderFields(Strict):
    apiVersion: Literal["regctl/v1"]
    kind: Literal["Provider"]
    id: Annotated[str, Field(pattern=PROVIDER_ID)]
    display_name: DisplayName
    api: Literal[
        "openai", "anthropic", "gemini", "azure-openai", "bedrock", "openai-compatible"
    ] = "openai"
    base_url: Url | None = None
    enabled: StrictBool = True
    credentials: list[str] = []
    allow_shared_credentials: StrictBool = True
    defaults: CallDefaults | None = None
    rate_limits: RateLimits | None = None
    description: str | None = None
    docs_url: Url | None = None
    labels: dict[str, str] = {}

    @model_validator(mode="after")
    def _base_url_needed(self) -> ProviderFields:
        if self.base_url is None and self.api in ("openai-compatible", "azure-openai"):
            raise ValueError(f"base_url is required for api '{self.api}'")
        return self

    def effective_base_url(self) -> str | None:
        return self.base_url or DEFAULT_BASE_URLS.get(self.api)


class ProviderDoc(ProviderFields):
    """A provider with its inline models."""

    models: list[Any] = []  # validated one by one as ModelBody, for per-model errors


class Policy(Strict):
    deprecation_warning_days: Annotated[int, Field(ge=0)] = 30


class Budget(Strict):
    """A monthly spending limit over the usage events that match ``scope``.

    ``scope`` is ``all``, ``provider:ID``, ``model:PROVIDER/MODEL``, ``env:NAME`` or
    ``template:ID`` (checked by the ``unknown-reference`` rule, with its position).
    """

    scope: Name
    monthly: Annotated[float, Field(gt=0)]
    currency: Literal["USD"] = "USD"
    warn_at: Annotated[float, Field(gt=0, le=1)] = 0.8


class RegistryDoc(Strict):
    apiVersion: Literal["regctl/v1"]
    kind: Literal["Registry"]
    name: Name | None = None
    description: str | None = None
    capabilities: list[Name] = []
    defaults: dict[str, str] = {}
    fallbacks: dict[str, list[str]] = {}
    policy: Policy = Policy()
    targets: dict[str, str] = {}
    secret_schemes: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9+.-]*$")]] = []
    budgets: list[Budget] = []


class EnvironmentDoc(Strict):
    """Overlays merged by id onto the base registry; each field below is checked on merge."""

    apiVersion: Literal["regctl/v1"]
    kind: Literal["Environment"]
    id: Annotated[str, Field(pattern=PROVIDER_ID)]
    description: str | None = None
    providers: dict[str, dict[str, Any]] = {}
    defaults: dict[str, str] = {}
    fallbacks: dict[str, list[str]] = {}


class Variable(Strict):
    required: StrictBool = False
    default: Any = None
    description: str | None = None


class TemplateDoc(Strict):
    apiVersion: Literal["regctl/v1"]
    kind: Literal["PromptTemplate"]
    id: Annotated[str, Field(pattern=TEMPLATE_ID)]
    description: str | None = None
    capability: Name | None = None
    model: Name | None = None
    variables: dict[str, Variable] = {}
    system: str | None = None
    user: str | None = None
    params: CallDefaults | None = None

    @model_validator(mode="after")
    def _target(self) -> TemplateDoc:
        # Both together: ``model`` is the preferred pin, ``capability`` the fallback
        # when the pin is inactive, deprecated or its provider disabled.
        if self.capability is None and self.model is None:
            raise ValueError("a template names 'model', 'capability', or both")
        return self


KINDS: dict[str, type[Strict]] = {
    "Provider": ProviderDoc,
    "Model": ModelDoc,
    "Registry": RegistryDoc,
    "Environment": EnvironmentDoc,
    "PromptTemplate": TemplateDoc,
}
