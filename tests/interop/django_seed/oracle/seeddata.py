"""The data both seed commands write, and the later admin edits (edge cases), as tables.

One table per seed: the seed command's rows and the edits made later (``EDGE_*``: several
``is_default`` providers, an inactive default provider, legacy-only templates, inactive and
deprecated models, OpenRouter-style ids, and legacy rows written straight into the table
(``EDGE_LEGACY_*``, bypassing ``AIModel.save``) that leave two active models for one
provider and capability, whose primary keys sort the other way round from ``created_at``).
The seed command's data keeps the seed's rule of one active model per provider and
capability (``AIModel.save`` enforces it).
Keys are fake; the tests check that no byte of them reaches regctl's output.
"""

from __future__ import annotations

import datetime as dt

D = dt.date
T = dt.datetime


def _t(day: str) -> T:
    return T.fromisoformat(day + "T12:00:00+00:00")


# Providers: (key, fields). "key" is how the rows below refer to them.
PROVIDERS_000 = [
    (
        "openai",
        dict(
            name="openai",
            display_name="OpenAI",
            api_key="sk-proj-seed000OPENAIsharedKEY0123456789abcdef",
            base_url="https://api.openai.com/v1",
            is_default=True,
            default_temperature="0.70",
            default_max_tokens=1024,
            description="OpenAI platform",
            documentation_url="https://platform.openai.com/docs",
        ),
    ),
    (
        "anthropic",
        dict(
            name="anthropic",
            display_name="Anthropic",
            api_key="sk-ant-api03-seed000ANTHROPICsharedKEY0123456789",
            base_url="https://api.anthropic.com/v1",
            is_default=True,
            default_temperature="0.50",
            default_max_tokens=2048,
            documentation_url="https://docs.anthropic.com",
        ),
    ),
    (
        "google",
        dict(
            name="Google Gemini",
            display_name="Google Gemini",
            api_key="AIzaSeed000GOOGLEsharedKEY0123456789abcde",
            base_url="https://generativelanguage.googleapis.com/v1beta",
            shared_api_enabled=False,
        ),
    ),
    (
        "mistral",
        dict(
            name="mistral",
            display_name="Mistral AI",
            api_key="",
            base_url="https://api.mistral.ai/v1",
            default_temperature="0.30",
        ),
    ),
]
# Models: (key, provider key, fields)
MODELS_000 = [
    (
        "gpt-4o",
        "openai",
        dict(
            name="gpt-4o",
            display_name="GPT-4o",
            capabilities=["chat", "vision"],
            context_window=128000,
            max_tokens=16384,
            input_price_per_million="2.50",
            output_price_per_million="10.00",
            is_default=True,
            release_date=D(2024, 5, 13),
            created_at=_t("2024-05-13"),
        ),
    ),
    (
        "gpt-4o-mini",
        "openai",
        dict(
            name="gpt-4o-mini",
            display_name="GPT-4o mini",
            capabilities=["chat", "vision"],
            context_window=128000,
            max_tokens=16384,
            input_price_per_million="0.15",
            output_price_per_million="0.60",
            release_date=D(2024, 7, 18),
            is_active=False,
            created_at=_t("2024-07-18"),
        ),
    ),
    (
        "embed-3-small",
        "openai",
        dict(
            name="text-embedding-3-small",
            display_name="Embedding 3 small",
            capabilities=["embedding"],
            context_window=8191,
            input_price_per_million="0.02",
            supports_streaming=False,
            created_at=_t("2024-01-25"),
        ),
    ),
    (
        "dall-e-3",
        "openai",
        dict(
            name="dall-e-3",
            display_name="DALL-E 3",
            capabilities=["image"],
            supports_system_prompt=False,
            supports_streaming=False,
            created_at=_t("2023-11-06"),
        ),
    ),
    (
        "whisper-1",
        "openai",
        dict(
            name="whisper-1",
            display_name="Whisper",
            capabilities=["transcription"],
            supports_system_prompt=False,
            created_at=_t("2023-03-01"),
        ),
    ),
    (
        "gpt-3.5",
        "openai",
        dict(
            name="gpt-3.5-turbo",
            display_name="GPT-3.5 Turbo",
            capabilities=["chat"],
            context_window=16385,
            max_tokens=4096,
            is_active=False,
            deprecation_date=D(2024, 9, 13),
            created_at=_t("2023-03-01"),
        ),
    ),
    (
        "sonnet",
        "anthropic",
        dict(
            name="claude-3-5-sonnet-20241022",
            display_name="Claude 3.5 Sonnet",
            capabilities=["chat", "vision"],
            context_window=200000,
            max_tokens=8192,
            input_price_per_million="3.00",
            output_price_per_million="15.00",
            is_default=True,
            release_date=D(2024, 10, 22),
            created_at=_t("2024-10-22"),
        ),
    ),
    (
        "haiku",
        "anthropic",
        dict(
            name="claude-3-5-haiku-20241022",
            display_name="Claude 3.5 Haiku",
            capabilities=["chat"],
            context_window=200000,
            max_tokens=8192,
            input_price_per_million="0.80",
            output_price_per_million="4.00",
            release_date=D(2024, 11, 4),
            is_active=False,
            created_at=_t("2024-11-04"),
        ),
    ),
    (
        "opus",
        "anthropic",
        dict(
            name="claude-3-opus-20240229",
            display_name="Claude 3 Opus",
            capabilities=["chat", "vision"],
            context_window=200000,
            max_tokens=4096,
            is_active=False,
            deprecation_date=D(2026, 1, 5),
            created_at=_t("2024-02-29"),
        ),
    ),
    (
        "gemini-pro",
        "google",
        dict(
            name="gemini-1.5-pro",
            display_name="Gemini 1.5 Pro",
            capabilities=["chat", "vision"],
            context_window=2097152,
            max_tokens=8192,
            input_price_per_million="1.25",
            output_price_per_million="5.00",
            is_default=True,
            created_at=_t("2024-05-14"),
        ),
    ),
    (
        "gemini-flash",
        "google",
        dict(
            name="gemini-1.5-flash",
            display_name="Gemini 1.5 Flash",
            capabilities=["chat", "vision"],
            context_window=1048576,
            max_tokens=8192,
            is_active=False,
            created_at=_t("2024-05-24"),
        ),
    ),
    (
        "gemini-embed",
        "google",
        dict(
            name="text-embedding-004",
            display_name="Text Embedding 004",
            capabilities=["embedding"],
            created_at=_t("2024-05-14"),
        ),
    ),
    (
        "mistral-large",
        "mistral",
        dict(
            name="mistral-large-latest",
            display_name="Mistral Large",
            capabilities=["chat"],
            context_window=131072,
            created_at=_t("2024-11-18"),
        ),
    ),
    (
        "codestral",
        "mistral",
        dict(
            name="codestral-latest",
            display_name="Codestral",
            capabilities=["code"],
            created_at=_t("2024-05-29"),
        ),
    ),
]
TEMPLATES_000 = [
    dict(
        name="Summarize",
        slug="summarize",
        description="Short summaries",
        capability="chat",
        ai_model="gpt-4o",
        system_prompt="You write summaries for {audience}.",
        user_prompt="Summarize:\n\n{text}",
        variables=["audience", "text"],
        temperature="0.20",
        max_tokens=300,
    ),
    dict(
        name="Translate",
        slug="translate",
        capability="chat",
        user_prompt="Translate into {language}:\n\n{text}",
        variables=["language", "text"],
    ),
    dict(
        name="Describe image",
        slug="describe-image",
        capability="vision",
        ai_model="sonnet",
        system_prompt="Describe images for {reader}.",
        user_prompt="{question}",
        variables=["reader", "question"],
    ),
    dict(
        name="Embed document",
        slug="embed-doc",
        capability="embedding",
        user_prompt="{text}",
        variables=["text"],
    ),
]
# Users: (username, superuser, active, groups, direct use_shared_api_key permission)
USERS = [
    ("admin", True, True, [], False),
    ("alice", False, True, ["staff"], False),
    ("bob", False, True, [], False),
    ("carol", False, True, ["support"], True),
]
GROUPS = [("staff", True), ("support", False)]  # (name, holds use_shared_api_key)
# Personal keys: (username, provider key, key, active)
PERSONAL_000 = [
    ("bob", "openai", "sk-proj-seed000BOBpersonalKEY0123456789abcdef", True),
    ("alice", "anthropic", "sk-ant-api03-seed000ALICEpersonalKEY012345678", True),
]

EDGE_PROVIDERS_000 = [
    (
        "azure-legacy",
        dict(
            name="azure-legacy",
            display_name="Azure (old tenant)",
            api_key="azureSeed000legacyKEY0123456789abcdef0123",
            base_url="https://legacy-tenant.openai.azure.com/openai",
            is_default=True,
            is_active=False,
        ),
    ),
    (
        "openrouter",
        dict(
            name="openrouter",
            display_name="OpenRouter",
            api_key="sk-or-v1-seed000OPENROUTERsharedKEY0123456789abcdef",
            base_url="https://openrouter.ai/api/v1/",
        ),
    ),
]
EDGE_MODELS_000 = [
    (
        "gpt-4-turbo",
        "openai",
        dict(
            name="gpt-4-turbo",
            display_name="GPT-4 Turbo",
            capabilities=["chat", "vision"],
            is_active=True,
            deprecation_date=D(2025, 4, 30),
            created_at=_t("2024-04-09"),
        ),
    ),
    (
        "mistral-small",
        "mistral",
        dict(
            name="mistral-small-latest",
            display_name="Mistral Small",
            capabilities=["chat", "function_calling"],
            created_at=_t("2024-09-18"),
        ),
    ),
    (
        "azure-gpt4",
        "azure-legacy",
        dict(
            name="gpt-4",
            display_name="GPT-4 (Azure)",
            capabilities=["chat"],
            created_at=_t("2023-06-01"),
        ),
    ),
    (
        "or-llama",
        "openrouter",
        dict(
            name="meta-llama/llama-3.1-70b-instruct",
            display_name="Llama 3.1 70B",
            capabilities=["chat"],
            created_at=_t("2024-07-23"),
        ),
    ),
    (
        "or-gpt-4o",
        "openrouter",
        dict(
            name="openai/gpt-4o",
            display_name="GPT-4o via OpenRouter",
            capabilities=["chat", "vision"],
            is_default=True,
            created_at=_t("2024-05-13"),
        ),
    ),
    (
        "or-sonnet",
        "openrouter",
        dict(
            name="anthropic/claude-3.5-sonnet",
            display_name="Claude 3.5 Sonnet via OpenRouter",
            capabilities=["chat"],
            is_active=False,
            created_at=_t("2024-06-20"),
        ),
    ),
]
EDGE_TEMPLATES_000 = [
    dict(
        name="Legacy haiku",
        slug="legacy-haiku",
        capability="chat",
        model="claude-3-5-haiku-20241022",
        provider="anthropic",
        user_prompt="Write a haiku about {topic}.",
        variables=["topic"],
    ),
    dict(
        name="Legacy any provider",
        slug="legacy-any",
        capability="chat",
        model="gpt-4o",
        user_prompt="{{literal braces}} and {question}",
        variables=["question"],
    ),
    dict(
        name="Legacy gone",
        slug="legacy-gone",
        capability="chat",
        model="gpt-4",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Mini pin",
        slug="mini-pin",
        capability="chat",
        ai_model="gpt-4o-mini",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Old pin",
        slug="old-pin",
        capability="chat",
        ai_model="gpt-3.5",
        model="openai/gpt-4o",
        provider="openrouter",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Deprecated pin",
        slug="deprecated-pin",
        capability="chat",
        ai_model="gpt-4-turbo",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Router pin",
        slug="router-pin",
        capability="chat",
        ai_model="or-gpt-4o",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Retired",
        slug="retired",
        capability="chat",
        user_prompt="{question}",
        variables=["question"],
        is_active=False,
    ),
]
EDGE_USERS = [("dave", False, False, ["staff"], False)]
EDGE_PERSONAL_000 = [
    ("carol", "google", "AIzaSeed000CAROLpersonalKEY0123456789abcdef", False),
    ("dave", "openai", "sk-proj-seed000DAVEpersonalKEY0123456789abcdef", True),
]
# Admin edits to rows the seed command wrote: (provider key, field, value).
EDGE_PROVIDER_EDITS_000 = [("google", "is_default", True)]
EDGE_MODEL_EDITS_000: list[tuple[str, str, object]] = []
# Rows made active behind AIModel.save's back (legacy data): model keys.
EDGE_LEGACY_000 = ["gpt-4o-mini", "mistral-small", "gpt-4-turbo"]


PROVIDERS_003 = [
    (
        "openai",
        dict(
            name="OpenAI",
            slug="openai",
            provider_type="openai",
            api_key="sk-proj-seed003OPENAIsharedKEY0123456789abcdef",
            base_url="https://api.openai.com/v1",
            is_default=True,
            description="OpenAI platform",
            documentation_url="https://platform.openai.com/docs",
        ),
    ),
    (
        "anthropic",
        dict(
            name="Anthropic",
            slug="anthropic",
            provider_type="anthropic",
            api_key="sk-ant-api03-seed003ANTHROPICsharedKEY0123456789",
            base_url="https://api.anthropic.com/v1",
            is_default=True,
            default_temperature=0.5,
            default_max_tokens=2048,
        ),
    ),
    (
        "gemini",
        dict(
            name="Google Gemini",
            slug="gemini",
            provider_type="google",
            api_key="AIzaSeed003GOOGLEsharedKEY0123456789abcde",
            base_url="https://generativelanguage.googleapis.com/v1beta/openai/",
            shared_api_enabled=False,
        ),
    ),
    (
        "openrouter",
        dict(
            name="OpenRouter",
            slug="openrouter",
            provider_type="openrouter",
            api_key="sk-or-v1-seed003OPENROUTERsharedKEY0123456789abcdef",
            base_url="https://openrouter.ai/api/v1",
        ),
    ),
]
MODELS_003 = [
    (
        "gpt-4o-chat",
        "openai",
        dict(
            name="GPT-4o",
            model_id="gpt-4o",
            capability="chat",
            context_window=128000,
            max_tokens=16384,
            input_price_per_million="2.50",
            output_price_per_million="10.00",
            is_default=True,
            release_date=D(2024, 5, 13),
            created_at=_t("2024-05-13"),
        ),
    ),
    (
        "gpt-4o-vision",
        "openai",
        dict(
            name="GPT-4o",
            model_id="gpt-4o",
            capability="vision",
            context_window=128000,
            max_tokens=16384,
            input_price_per_million="2.50",
            output_price_per_million="10.00",
            is_default=True,
            release_date=D(2024, 5, 13),
            created_at=_t("2024-05-13"),
        ),
    ),
    (
        "gpt-4o-mini",
        "openai",
        dict(
            name="GPT-4o mini",
            model_id="gpt-4o-mini",
            capability="chat",
            context_window=128000,
            max_tokens=16384,
            input_price_per_million="0.15",
            output_price_per_million="0.60",
            is_active=False,
            created_at=_t("2024-07-18"),
        ),
    ),
    (
        "embed-3-small",
        "openai",
        dict(
            name="Embedding 3 small",
            model_id="text-embedding-3-small",
            capability="embedding",
            input_price_per_million="0.02",
            output_price_per_million=None,
            supports_streaming=False,
            created_at=_t("2024-01-25"),
        ),
    ),
    (
        "dall-e-3",
        "openai",
        dict(
            name="DALL-E 3",
            model_id="dall-e-3",
            capability="image",
            supports_system_prompt=False,
            output_price_per_million=None,
            created_at=_t("2023-11-06"),
        ),
    ),
    (
        "gpt-3.5",
        "openai",
        dict(
            name="GPT-3.5 Turbo",
            model_id="gpt-3.5-turbo",
            capability="chat",
            is_active=False,
            deprecation_date=D(2024, 9, 13),
            created_at=_t("2023-03-01"),
        ),
    ),
    (
        "sonnet-chat",
        "anthropic",
        dict(
            name="Claude 3.5 Sonnet",
            model_id="claude-3-5-sonnet-20241022",
            capability="chat",
            context_window=200000,
            max_tokens=8192,
            input_price_per_million="3.00",
            output_price_per_million="15.00",
            is_default=True,
            created_at=_t("2024-10-22"),
        ),
    ),
    (
        "sonnet-vision",
        "anthropic",
        dict(
            name="Claude 3.5 Sonnet",
            model_id="claude-3-5-sonnet-20241022",
            capability="vision",
            context_window=200000,
            max_tokens=8192,
            input_price_per_million="3.00",
            output_price_per_million="15.00",
            created_at=_t("2024-10-22"),
        ),
    ),
    (
        "haiku",
        "anthropic",
        dict(
            name="Claude 3.5 Haiku",
            model_id="claude-3-5-haiku-20241022",
            capability="chat",
            input_price_per_million="0.80",
            output_price_per_million="4.00",
            is_active=False,
            created_at=_t("2024-11-04"),
        ),
    ),
    (
        "gemini-pro",
        "gemini",
        dict(
            name="Gemini 1.5 Pro",
            model_id="gemini-1.5-pro",
            capability="chat",
            context_window=2097152,
            is_default=True,
            created_at=_t("2024-05-14"),
        ),
    ),
    (
        "gemini-flash",
        "gemini",
        dict(
            name="Gemini 1.5 Flash",
            model_id="gemini-1.5-flash",
            capability="chat",
            is_active=False,
            created_at=_t("2024-05-24"),
        ),
    ),
    (
        "gemini-embed",
        "gemini",
        dict(
            name="Text Embedding 004",
            model_id="text-embedding-004",
            capability="embedding",
            created_at=_t("2024-05-14"),
        ),
    ),
    (
        "or-gpt-4o",
        "openrouter",
        dict(
            name="GPT-4o via OpenRouter",
            model_id="openai/gpt-4o",
            capability="chat",
            is_default=True,
            created_at=_t("2024-05-13"),
        ),
    ),
    (
        "or-llama",
        "openrouter",
        dict(
            name="Llama 3.1 70B",
            model_id="meta-llama/llama-3.1-70b-instruct",
            capability="chat",
            is_active=False,
            created_at=_t("2024-07-23"),
        ),
    ),
    (
        "or-sonnet-vision",
        "openrouter",
        dict(
            name="Claude 3.5 Sonnet via OpenRouter",
            model_id="anthropic/claude-3.5-sonnet",
            capability="vision",
            created_at=_t("2024-06-20"),
        ),
    ),
]
TEMPLATES_003 = [
    dict(
        name="Summarize",
        slug="summarize",
        description="Short summaries",
        capability="chat",
        ai_model="gpt-4o-chat",
        system_prompt="You write summaries for {audience}.",
        user_prompt="Summarize:\n\n{text}",
        variables=["audience", "text"],
        temperature=0.2,
        max_tokens=300,
    ),
    dict(
        name="Translate",
        slug="translate",
        capability="chat",
        user_prompt="Translate into {language}:\n\n{text}",
        variables=["language", "text"],
    ),
    dict(
        name="Describe image",
        slug="describe-image",
        capability="vision",
        ai_model="sonnet-vision",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Route via OpenRouter",
        slug="router",
        capability="chat",
        ai_model="or-llama",
        user_prompt="{question}",
        variables=["question"],
    ),
]
PERSONAL_003 = [
    ("bob", "openai", "sk-proj-seed003BOBpersonalKEY0123456789abcdef", True),
    ("alice", "openrouter", "sk-or-v1-seed003ALICEpersonalKEY0123456789abcdef", True),
]

EDGE_PROVIDERS_003 = [
    (
        "legacy",
        dict(
            name="Legacy gateway",
            slug="legacy-gw",
            provider_type="custom",
            api_key="legacySeed003KEY0123456789abcdef01234567",
            base_url="https://llm.legacy.example.com/v1",
            is_default=True,
            is_active=False,
        ),
    ),
]
EDGE_MODELS_003 = [
    (
        "gpt-4-turbo",
        "openai",
        dict(
            name="GPT-4 Turbo",
            model_id="gpt-4-turbo",
            capability="chat",
            deprecation_date=D(2025, 4, 30),
            created_at=_t("2025-01-09"),
        ),
    ),
    (
        "or-mistral",
        "openrouter",
        dict(
            name="Mistral Large via OpenRouter",
            model_id="mistralai/mistral-large",
            capability="chat",
            created_at=_t("2024-02-26"),
        ),
    ),
    (
        "legacy-chat",
        "legacy",
        dict(
            name="House model",
            model_id="house-chat-v1",
            capability="chat",
            created_at=_t("2023-06-01"),
        ),
    ),
    (
        "gemini-vision",
        "gemini",
        dict(
            name="Gemini 1.5 Pro",
            model_id="gemini-1.5-pro",
            capability="vision",
            is_active=False,
            created_at=_t("2024-05-14"),
        ),
    ),
]
EDGE_TEMPLATES_003 = [
    dict(
        name="Legacy haiku",
        slug="legacy-haiku",
        capability="chat",
        model="claude-3-5-haiku-20241022",
        provider="anthropic",
        user_prompt="Write a haiku about {topic}.",
        variables=["topic"],
    ),
    dict(
        name="Legacy router",
        slug="legacy-router",
        capability="chat",
        model="meta-llama/llama-3.1-70b-instruct",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Old pin",
        slug="old-pin",
        capability="chat",
        ai_model="gpt-3.5",
        model="claude-3-5-sonnet-20241022",
        provider="anthropic",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Deprecated pin",
        slug="deprecated-pin",
        capability="chat",
        ai_model="gpt-4-turbo",
        user_prompt="{question}",
        variables=["question"],
    ),
    dict(
        name="Retired",
        slug="retired",
        capability="chat",
        user_prompt="{question}",
        variables=["question"],
        is_active=False,
    ),
]
EDGE_PERSONAL_003 = [("carol", "gemini", "AIzaSeed003CAROLpersonalKEY0123456789abcdef", False)]
EDGE_PROVIDER_EDITS_003 = [("gemini", "is_default", True)]
EDGE_MODEL_EDITS_003 = [("or-gpt-4o", "is_default", False)]
EDGE_LEGACY_003 = ["or-llama", "or-mistral", "gpt-4-turbo"]
