"""No secret values in the registry: credentials are references, and nothing looks like a key.

A provider's ``credentials`` entries must be secret references (``env:NAME``,
``file:PATH`` or a declared plugin scheme). Any string anywhere in the registry
(values and mapping keys alike) that looks like an API key is an error too: the
prefixes ``sk-``, ``sk-ant-``, ``sk-proj-``, ``xai-``, ``AIza``, ``gsk_``, ``hf_``,
``ghp_``, ``gho_``, ``github_pat_``, GitLab ``glpat-``, Slack ``xoxb-``/``xoxp-``,
AWS ``AKIA``/``ASIA``; AWS secret access keys (40 base64 characters); Azure-style
32-hex and 64-hex keys; credentials inside URLs (``https://user:pw@host``,
``?api_key=``, ``?access_token=``, ``?key=``, ``?token=``...) in ``base_url``,
targets or anywhere else; and long high-entropy tokens (24+ unbroken characters of
mixed case and digits). So is a field named like a secret (``api_key``, ``token``,
``password``, ``secret``) holding a plain value. The message never repeats the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.base.redact import known_format, url_credential
from regctl.messages.problems import Location, Problem
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.registry import View
from regctl.pipeline.rules.secret_scheme import REF

ID = "plaintext-secret"
PER_ENVIRONMENT = False

# Pieces between separators: model names such as
# "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8" are long and mixed-case, but
# only as a whole; a key is one long unbroken run (prefixed keys are caught above).
TOKEN = re.compile(r"[A-Za-z0-9]{24,}")
SECRET_FIELD = re.compile(r"(?i)^(api[_-]?key|.*_key|secret|.*_secret|token|.*_token|password)$")
HINT = msg("keep the value in a secret store and reference it (env:NAME, file:PATH)")


# What every finding below needs (an exact pre-check: no match here, no finding there):
# a prefixed key, a hex key and a long token need a run of 18+ such characters, an AWS
# secret a run of 40, a URL credential an '@' or a '='. Most strings (descriptions,
# names) have none, and one search is much cheaper than the six.
MAYBE_KEY = re.compile(r"[A-Za-z0-9_\-]{18}|[A-Za-z0-9/+]{40}|[=@]")


def looks_like_key(value: str) -> str | None:
    """Why ``value`` looks like a key (a prefix or 'high-entropy token'), or ``None``."""
    if not MAYBE_KEY.search(value):
        return None
    return _why_key(value)


def _why_key(value: str) -> str | None:
    """:func:`looks_like_key` without the pre-check (held to it by a property test)."""
    reason = known_format(value) or url_credential(value)
    if reason:
        return reason
    for token in TOKEN.findall(value):
        if _high_entropy(token):
            return msg("a long high-entropy token")
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
        yield from _walk(doc.raw)
    for pid, entry in view.providers.items():
        creds = entry.raw.get("credentials")
        if isinstance(creds, PosList):
            for i, ref in enumerate(creds):  # a position only for a hit: it re-reads the file
                if isinstance(ref, str) and not REF.match(ref) and not looks_like_key(ref):
                    yield Problem(
                        ID,
                        msg(
                            "provider '{provider}': credential is not a secret reference; {hint}",
                            provider=pid,
                            hint=HINT,
                        ),
                        creds.item_pos[i],  # computed only for a hit
                    )


MIN_KEY_LENGTH = 19  # the shortest prefix match: 3 characters of prefix and 16 more
# shorter keys can still carry a URL credential when they hold "://", "?" or "&"


def _walk(root: PosDict) -> Iterator[Problem]:
    # Iterative, and positions are looked up only for a hit: this visits every
    # string of the registry, so it must stay cheap.
    secret_field: dict[str, bool] = {}
    plain_key: set[str] = set()  # keys already found harmless (the same few repeat)
    stack: list[tuple[PosDict | PosList, str | None]] = [(root, None)]
    while stack:
        node, parent_key = stack.pop()
        if type(node) is PosDict:
            for k, v in node.items():
                if k in plain_key:
                    pass
                elif len(k) < MIN_KEY_LENGTH and "://" not in k and "?" not in k and "&" not in k:
                    plain_key.add(k)
                else:
                    reason = looks_like_key(k)
                    if reason:
                        where = node.key_pos[k]
                        text = msg(
                            "a mapping key looks like an API key ({reason}); {hint}",
                            reason=reason,
                            hint=HINT,
                        )
                        yield Problem(ID, text, where)
                if type(v) is str:
                    is_secret = secret_field.get(k)
                    if is_secret is None:
                        is_secret = secret_field[k] = bool(SECRET_FIELD.match(k))
                    if len(v) >= MIN_KEY_LENGTH or is_secret or "@" in v or "=" in v:
                        problem = _check_value(v, k, is_secret, node, k)
                        if problem:
                            yield problem
                elif type(v) is PosDict or type(v) is PosList:
                    stack.append((v, k))
        else:
            for i, v in enumerate(node):
                if type(v) is str:
                    if len(v) >= MIN_KEY_LENGTH or "@" in v or "=" in v:
                        problem = _check_value(v, parent_key, False, node, i)
                        if problem:
                            yield problem
                elif type(v) is PosDict or type(v) is PosList:
                    stack.append((v, parent_key))


def _check_value(
    value: str, key: str | None, is_secret: bool, parent: PosDict | PosList, at: str | int
) -> Problem | None:
    def where() -> Location:
        if isinstance(parent, PosDict):
            return parent.val_pos[str(at)]
        return parent.item_pos[int(at)]

    reason = looks_like_key(value)
    shown = key or msg("a list item")
    if reason:
        text = msg(
            "value of '{key}' looks like an API key ({reason}); {hint}",
            key=shown,
            reason=reason,
            hint=HINT,
        )
        return Problem(ID, text, where())
    if is_secret and value and not REF.match(value):
        text = msg(
            "field '{key}' holds a plain value, not a secret reference; {hint}",
            key=shown,
            hint=HINT,
        )
        return Problem(ID, text, where())
    return None
