"""The schema's vocabulary without pydantic: ids, patterns, capability names, behaviour.

:mod:`regctl.pipeline.schema` (pydantic) re-exports these and stays the single source of
truth for fields; this module holds what both it and the fast validator
(:mod:`regctl.pipeline.fastschema`) need, so that validating a registry does not have to
import pydantic (about 70 ms of a command's start-up) when every document is valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

API_VERSION = "regctl/v1"

PROVIDER_ID = r"^[a-z0-9][a-z0-9._-]{0,62}$"
MODEL_ID = r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$"
TEMPLATE_ID = r"^[a-z0-9][a-z0-9._-]{0,62}$"
HTTP_URL = r"^https?://[^\s/$.?#][^\s]*$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"  # the NAME of an env:NAME secret reference
#: A language tag: ``en``, ``fa``, ``pt-BR``.
LOCALE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"

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
#: The APIs whose endpoint cannot be guessed: ``base_url`` is required.
APIS_NEEDING_BASE_URL = ("openai-compatible", "azure-openai")
DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
}
KIND_CLASSES = {
    "Provider": "ProviderDoc",
    "Model": "ModelDoc",
    "Registry": "RegistryDoc",
    "Environment": "EnvironmentDoc",
    "PromptTemplate": "TemplateDoc",
}
"""Document kind -> the name of its class in :mod:`regctl.pipeline.schema`."""
KINDS = tuple(KIND_CLASSES)


def display_default(name: str | dict[str, str]) -> str:
    """The single name of a display name: itself, or its ``en`` entry (else the first)."""
    if isinstance(name, str):
        return name
    return name.get("en") or name[min(name)]


class ModelBehaviour:
    """Methods of a model, shared by the pydantic class and the fast validator's objects."""

    if TYPE_CHECKING:
        active: Any
        capabilities: Any

    def active_for(self) -> list[str]:
        """The capabilities this model is active for (``true`` means all of them)."""
        if self.active is True:
            return list(self.capabilities)
        if self.active is False:
            return []
        return list(self.active)


class ProviderBehaviour:
    """Methods of a provider, shared by the pydantic class and the fast validator's objects."""

    if TYPE_CHECKING:
        api: Any
        base_url: Any

    def effective_base_url(self) -> str | None:
        """``base_url``, or the API's well-known endpoint."""
        return self.base_url or DEFAULT_BASE_URLS.get(self.api)


# The model validators of schema.py as plain checks (True: valid). The fast validator runs
# them; schema.py's validators raise the user's message when they fail.
def limits_ok(context_window: int | None, max_output_tokens: int | None) -> bool:
    """``max_output_tokens`` fits in ``context_window`` (when both are set)."""
    return (
        context_window is None or max_output_tokens is None or max_output_tokens <= context_window
    )


def base_url_ok(api: str, base_url: str | None) -> bool:
    """An API without a well-known endpoint has a ``base_url``."""
    return base_url is not None or api not in APIS_NEEDING_BASE_URL


def template_target_ok(capability: str | None, model: str | None) -> bool:
    """A template names a model, a capability, or both."""
    return capability is not None or model is not None
