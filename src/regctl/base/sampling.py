"""The sampling ranges the vendors' APIs accept, by the provider's wire protocol.

One table for the validator's ``params-limit`` rule and the runtime client's caps
(docs/resolution.md, "Parameters"); the JavaScript reader keeps the same table and the
conformance cases hold the two to each other. Anthropic's Messages API refuses a
``temperature`` above 1 with a 400; the OpenAI, Gemini and OpenAI-compatible APIs take
0 to 2, which is also the schema's bound for every provider.
"""

from __future__ import annotations

#: Highest ``temperature`` per ``api`` where it is lower than the schema's 2.
TEMPERATURE_MAX: dict[str, int] = {"anthropic": 1}
#: The bound for every other ``api`` (and the schema's).
DEFAULT_TEMPERATURE_MAX = 2


def temperature_max(api: str) -> int:
    """The highest ``temperature`` the ``api`` protocol accepts."""
    return TEMPERATURE_MAX.get(api, DEFAULT_TEMPERATURE_MAX)
