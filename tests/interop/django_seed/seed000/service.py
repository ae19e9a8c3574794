"""Seed 000's AIService: which model a call uses, and which key (from the seed document).

Selection order: an explicit model; the template's ``ai_model`` foreign key; the template's
legacy ``model``/``provider`` fields; the named provider's active model (never another
vendor's); the default providers (``is_default``, active, oldest first) in turn.
Keys: the user's own key first, then the provider's shared key when the provider shares
it and the user holds the ``use_shared_api_key`` permission.
"""

from __future__ import annotations

from typing import Any

from seed000.models import AIModel, AIProvider, PromptTemplate, UserAPIKey


class NoActiveModel(Exception):
    """The seed answers 404 {"error": "no active model"}."""


class AIService:
    def __init__(
        self,
        user: Any = None,
        provider_name: str | None = None,
        model_name: str | None = None,
        template: str | None = None,
        capability: str = "chat",
    ) -> None:
        self.user = user
        self.provider_name = provider_name
        self.model_name = model_name
        self.template = template
        self.capability = capability

    def select_model(self) -> AIModel:
        if self.model_name:
            qs = AIModel.objects.filter(name=self.model_name, provider__is_active=True)
            if self.provider_name:
                qs = qs.filter(provider__name=self.provider_name)
            found = qs.order_by("pk").first()
            if found is None:
                raise NoActiveModel(self.model_name)
            return found
        capability = self.capability
        if self.template:
            t = PromptTemplate.objects.filter(slug=self.template, is_active=True).first()
            if t is None:
                raise NoActiveModel(f"template {self.template}")
            capability = t.capability or "chat"
            if t.ai_model is not None and t.ai_model.usable():
                return t.ai_model
            if t.model:
                qs = AIModel.objects.filter(name=t.model)
                if t.provider:
                    qs = qs.filter(provider__name=t.provider)
                legacy = [m for m in qs.order_by("-created_at", "-pk") if m.usable()]
                if legacy:
                    return legacy[0]
        if self.provider_name:
            p = AIProvider.objects.filter(name=self.provider_name, is_active=True).first()
            found = AIModel.get_active_model(p, capability) if p is not None else None
            if found is None:
                raise NoActiveModel(f"{self.provider_name} {capability}")
            return found
        for p in AIProvider.objects.filter(is_default=True, is_active=True).order_by("pk"):
            found = AIModel.get_active_model(p, capability)
            if found is not None:
                return found
        raise NoActiveModel(capability)

    def get_api_key(self, provider: AIProvider) -> tuple[str, str] | None:
        """(key, "personal" | "shared"), or None: the seed then refuses the call."""
        own = (
            UserAPIKey.objects.filter(user=self.user, provider=provider, is_active=True)
            .exclude(api_key="")
            .first()
        )
        if own is not None:
            return own.api_key, "personal"
        if (
            provider.shared_api_enabled
            and provider.api_key
            and self.user.has_perm("seed000.use_shared_api_key")
        ):
            return provider.api_key, "shared"
        return None
