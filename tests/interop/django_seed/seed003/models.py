"""Seed 003's tables, written from the seed document (see ../README.md for what it says).

Providers are looked up by ``slug`` and carry a ``provider_type``; a model row serves one
``capability`` and is sent to the API as ``model_id`` (``openai/gpt-4o`` on an
OpenRouter-style provider), so one upstream model that serves chat and vision is two rows.
Templates and keys work as in seed 000.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class AIProvider(models.Model):
    TYPES = [
        ("openai", "OpenAI"),
        ("anthropic", "Anthropic"),
        ("google", "Google"),
        ("openrouter", "OpenRouter"),
        ("custom", "OpenAI-compatible"),
    ]
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    provider_type = models.CharField(max_length=20, choices=TYPES, default="openai")
    api_key = models.CharField(max_length=500, blank=True)
    base_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    shared_api_enabled = models.BooleanField(default=True)
    default_temperature = models.FloatField(default=0.7)
    default_max_tokens = models.PositiveIntegerField(default=1024)
    description = models.TextField(blank=True)
    documentation_url = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [("use_shared_api_key", "Can use the shared API key")]


class AIModel(models.Model):
    CAPABILITIES = [
        ("chat", "Chat"),
        ("completion", "Completion"),
        ("embedding", "Embedding"),
        ("image", "Image generation"),
        ("vision", "Vision"),
        ("audio", "Audio"),
    ]
    provider = models.ForeignKey(AIProvider, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=200)  # shown to people
    model_id = models.CharField(max_length=200)  # sent to the API
    capability = models.CharField(max_length=30, choices=CAPABILITIES, default="chat")
    context_window = models.PositiveIntegerField(null=True, blank=True)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    supports_system_prompt = models.BooleanField(default=True)
    supports_streaming = models.BooleanField(default=True)
    input_price_per_million = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True
    )
    output_price_per_million = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True, default=Decimal("0")
    )
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    release_date = models.DateField(null=True, blank=True)
    deprecation_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("provider", "model_id", "capability")]

    def usable(self, today: object = None) -> bool:
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
                if other.capability == self.capability:
                    AIModel.objects.filter(pk=other.pk).update(is_active=False)

    @classmethod
    def get_active_model(cls, provider: AIProvider, capability: str) -> AIModel | None:
        today = timezone.now().date()
        qs = cls.objects.filter(provider=provider, capability=capability, is_active=True)
        qs = qs.exclude(deprecation_date__lte=today)
        return qs.order_by("-is_default", "-created_at", "-pk").first()


class PromptTemplate(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    capability = models.CharField(max_length=30, default="chat")
    ai_model = models.ForeignKey(AIModel, null=True, blank=True, on_delete=models.SET_NULL)
    model = models.CharField(max_length=200, blank=True)  # legacy: a model_id
    provider = models.CharField(max_length=100, blank=True)  # legacy: a provider slug
    system_prompt = models.TextField(blank=True)
    user_prompt = models.TextField()
    variables = models.JSONField(default=list)
    temperature = models.FloatField(null=True, blank=True)
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
