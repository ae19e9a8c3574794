"""Copyable call snippets for a model: the OpenAI SDK, LiteLLM and regctl's own client.

The key is named, never given: the first ``env:`` reference of the provider's chain
becomes ``os.environ["NAME"]``; any other reference is resolved by regctl's client in
the app (``api_key()``). Values from the manifest are written as Python string literals
(``repr``), so a model id cannot end the string and add code.
"""

from __future__ import annotations

from dataclasses import dataclass

from regctl.client import Model, Provider
from regctl.interop.litellm_export import API_PREFIX, PUBLIC_BASE

#: capability -> (OpenAI SDK call, what it takes besides the model)
_OPENAI_CALL = {
    "embedding": ("client.embeddings.create", 'input="Hello"'),
    "image": ("client.images.generate", 'prompt="A lighthouse at dawn"'),
    "moderation": ("client.moderations.create", 'input="Hello"'),
    "speech": ("client.audio.speech.create", 'voice="alloy", input="Hello"'),
}
_CHAT = ("client.chat.completions.create", 'messages=[{"role": "user", "content": "Hello"}]')
#: capability -> LiteLLM function and its argument
_LITELLM_CALL = {
    "embedding": ("litellm.embedding", 'input=["Hello"]'),
    "image": ("litellm.image_generation", 'prompt="A lighthouse at dawn"'),
    "moderation": ("litellm.moderation", 'input="Hello"'),
}
_LITELLM_CHAT = ("litellm.completion", 'messages=[{"role": "user", "content": "Hello"}]')


@dataclass(frozen=True)
class Snippet:
    """One snippet: an id for the page, its title and the code."""

    id: str
    title: str
    code: str


def _env_name(p: Provider) -> str | None:
    for ref in p.credentials:
        if ref.startswith("env:") and ref[4:]:
            return ref[4:]
    return None


def _key_lines(p: Provider) -> tuple[list[str], str]:
    """(lines that get the key, the expression naming it)."""
    name = _env_name(p)
    if name is not None:
        return ["import os", ""], f"os.environ[{name!r}]"
    return (
        [
            "from regctl.client import Registry",
            "",
            'registry = Registry.load("manifest.lock.json")',
        ],
        f"registry.provider({p.id!r}).api_key().get_secret_value()",
    )


def call_snippets(m: Model, p: Provider, capability: str | None) -> list[Snippet]:
    """The OpenAI SDK, LiteLLM and regctl snippets for a call of ``m`` as ``capability``."""
    cap = capability or (m.active[0] if m.active else (m.capabilities[0] if m.capabilities else ""))
    head, key = _key_lines(p)
    call, arg = _OPENAI_CALL.get(cap, _CHAT)
    base = p.base_url or PUBLIC_BASE.get(p.api)
    openai = [
        *head[:1],
        "from openai import OpenAI",
        *head[1:],
        "",
        "client = OpenAI(",
        *([f"    base_url={base!r},"] if base else []),
        f"    api_key={key},",
        ")",
        f"response = {call}(",
        f"    model={m.upstream_id!r},",
        f"    {arg},",
        ")",
    ]
    prefix = API_PREFIX.get(p.api, "openai")
    lcall, larg = _LITELLM_CALL.get(cap, _LITELLM_CHAT)
    litellm_base = p.base_url if p.base_url and p.base_url != PUBLIC_BASE.get(p.api) else None
    litellm = [
        *head[:1],
        "import litellm",
        *head[1:],
        "",
        f"response = {lcall}(",
        f"    model={prefix + '/' + m.upstream_id!r},",
        *([f"    api_base={litellm_base!r},"] if litellm_base else []),
        f"    api_key={key},",
        f"    {larg},",
        ")",
    ]
    how = f"capability={cap!r}, provider={p.id!r}, model={m.key!r}"
    regctl = [
        "from openai import OpenAI",
        "from regctl.client import Registry",
        "",
        'registry = Registry.load("manifest.lock.json")',
        f"chosen = registry.resolve({how})",
        "client = OpenAI(**chosen.openai_kwargs())",
        f"response = {call}(**chosen.call_kwargs(), {arg})",
    ]
    return [
        Snippet("openai", "OpenAI SDK", "\n".join(_tidy(openai)) + "\n"),
        Snippet("litellm", "LiteLLM", "\n".join(_tidy(litellm)) + "\n"),
        Snippet("regctl", "regctl client", "\n".join(regctl) + "\n"),
    ]


def _tidy(lines: list[str]) -> list[str]:
    """No blank line after another (the key's lines may be empty)."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return out
