"""No secret values in the registry: credentials are references, and nothing looks like a key.

A provider's ``credentials`` entries must be secret references (``env:NAME``,
``file:PATH`` or a declared plugin scheme). Any string anywhere in the registry
that looks like an API key is an error too: the prefixes ``sk-``, ``sk-ant-``,
``sk-proj-``, ``xai-``, ``AIza``, ``gsk_``, ``hf_``, ``ghp_``, ``AKIA``, and long
high-entropy tokens (32+ characters of mixed case and digits). So is a field
named like a secret (``api_key``, ``token``, ``password``, ``secret``) holding
a plain value. The message never repeats the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from regctl.problems import Location, Problem
from regctl.registry import View
from regctl.rules.secret_scheme import REF
from regctl.source import PosDict, PosList

ID = "plaintext-secret"
PER_ENVIRONMENT = False

KEY_PREFIX = re.compile(
    r"(?<![A-Za-z0-9])(sk-ant-|sk-proj-|sk-|xai-|AIza|gsk_|hf_|ghp_|AKIA)[A-Za-z0-9_\-]{16,}"
)
TOKEN = re.compile(r"[A-Za-z0-9_\-]{32,}")
SECRET_FIELD = re.compile(r"(?i)^(api[_-]?key|.*_key|secret|.*_secret|token|.*_token|password)$")
HINT = "keep the value in a secret store and reference it (env:NAME, file:PATH)"


def looks_like_key(value: str) -> str | None:
    """Why ``value`` looks like a key (a prefix or 'high-entropy token'), or ``None``."""
    match = KEY_PREFIX.search(value)
    if match:
        return f"'{match.group(1)}…' prefix"
    for token in TOKEN.findall(value):
        if _high_entropy(token):
            return "a long high-entropy token"
    return None


def _high_entropy(token: str) -> bool:
    if not (
        any(c.isdigit() for c in token)
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
    ):
        return False
    counts = Counter(token)
    n = len(token)
    entropy = -sum(c / n * math.log2(c / n) for c in counts.values())
    return entropy >= 4.2


def check(view: View) -> Iterator[Problem]:
    for doc in view.documents:
        yield from _walk(doc.raw, None)
    for pid, entry in view.providers.items():
        creds = entry.raw.get("credentials")
        if isinstance(creds, PosList):
            for ref, pos in zip(creds, creds.item_pos):
                if isinstance(ref, str) and not REF.match(ref) and not looks_like_key(ref):
                    yield Problem(
                        ID, f"provider '{pid}': credential is not a secret reference; {HINT}", pos
                    )


def _walk(value: object, key: str | None, pos: Location | None = None) -> Iterator[Problem]:
    if isinstance(value, str):
        assert pos is not None
        reason = looks_like_key(value)
        if reason:
            yield Problem(ID, f"value of '{key}' looks like an API key ({reason}); {HINT}", pos)
        elif key and SECRET_FIELD.match(key) and value and not REF.match(value):
            yield Problem(
                ID, f"field '{key}' holds a plain value, not a secret reference; {HINT}", pos
            )
    elif isinstance(value, PosDict):
        for k, v in value.items():
            yield from _walk(v, k, value.val_pos[k])
    elif isinstance(value, PosList):
        for item, ipos in zip(value, value.item_pos):
            yield from _walk(item, key, ipos)
