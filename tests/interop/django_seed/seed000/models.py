"""Seed 000's tables, written from the seed document (see ../README.md for what it says).

Providers are identified by ``name``; a model lists its ``capabilities`` (JSON list) and
is sent to the API as ``name``; a prompt template pins a model by the ``ai_model`` foreign
key, or by the older ``model``/``provider`` CharFields. Keys: the provider's shared
``api_key`` (when ``shared_api_enabled`` and the user holds the ``use_shared_api_key``
permission an admin grants), or the user's own ``UserAPIKey``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class AIProvider(models.Model):
    name = models.CharField(max_length=100, unique=True)
    display_name = models.CharField(max_length=200)
    api_key = models.CharField(max_length=500, blank=True)  # the shared key, in plain text
    base_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    shared_api_enabled = models.BooleanField(default=True)
    default_temperature = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.70")
    )
    default_max_tokens = models.PositiveIntegerField(default=1024)
    description = models.TextField(blank=True)
    documentation_url = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [("use_shared_api_key", "Can use the shared API key")]

    def __str__(self) -> str:
        return self.name


class AIModel(models.Model):
    provider = models.ForeignKey(AIProvider, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200)
    capabilities = models.JSONField(default=list)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    context_window = models.PositiveIntegerField(null=True, blank=True)
    supports_system_prompt = models.BooleanField(default=True)
    supports_streaming = models.BooleanField(default=True)
    input_price_per_million = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    output_price_per_million = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    release_date = models.DateField(null=True, blank=True)
    deprecation_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("provider", "name")]

    def __str__(self) -> str:
        return f"{self.provider.name}/{self.name}"

    def usable(self, today: object = None) -> bool:
        """Active, of an active provider, not past its deprecation date."""
        day = today or timezone.now().date()
        return (
            self.is_active
            and self.provider.is_active
            and (self.deprecation_date is None or self.deprecation_date > day)
        )

    def save(self, *args: object, **kwargs: object) -> None:
        """One active model per provider and capability: saving an active model
        deactivates the others (rows written before this rule may still break it)."""
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if self.is_active:
            for other in AIModel.objects.filter(provider=self.provider, is_active=True).exclude(
                pk=self.pk
            ):
                if set(other.capabilities or []) & set(self.capabilities or []):
                    AIModel.objects.filter(pk=other.pk).update(is_active=False)

    @classmethod
    def get_active_model(cls, provider: AIProvider, capability: str) -> AIModel | None:
        """The provider's model for a capability: the default one, else the newest."""
        today = timezone.now().date()
        found = [
            m
            for m in cls.objects.filter(provider=provider, is_active=True).order_by(
                "-is_default", "-created_at", "-pk"
            )
            if capability in (m.capabilities or [])
            and (m.deprecation_date is None or m.deprecation_date > today)
        ]
        return found[0] if found else None


class PromptTemplate(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    capability = models.CharField(max_length=50, default="chat")
    ai_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL)
    model = models.CharField(max_length=200, blank=True)  # legacy: a model name
    provider = models.CharField(max_length=100, blank=True)  # legacy: a provider name
    system_prompt = models.TextField(blank=True)
    user_prompt = models.TextField()
    variables = models.JSONField(default=list)
    temperature = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    def render(self, **values: object) -> tuple[str, str]:
        return self.system_prompt.format(**values), self.user_prompt.format(**values)


class UserAPIKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    provider = models.ForeignKey(AIProvider, on_delete=models.CASCADE)
    api_key = models.CharField(max_length=500)
    is_active = models.BooleanField(default=True)

    class Meta:
        unique_together = [("user", "provider")]
