"""Stage 4: the validation rules (docs/rules.md is generated from them).

Each module here is one rule: ``ID`` (the stable rule id), its docstring (the
user documentation, shown by ``regctl rules``), ``PER_ENVIRONMENT`` (whether it
must run again on every environment's effective registry, or once on the
documents), and ``check(view)`` yielding :class:`~regctl.messages.problems.Problem`.
Rules found while reading and parsing (``yaml-syntax``, ``schema``, ...) are
documented in :data:`STAGE_RULES`.
"""

from __future__ import annotations

from types import ModuleType

from regctl.messages.problems import Problem
from regctl.pipeline.registry import View
from regctl.pipeline.rules import (
    active_capability,
    capability_name,
    deprecated_active,
    deprecation_soon,
    no_active_model,
    params_limit,
    plaintext_secret,
    secret_scheme,
    single_active,
    suspicious_unicode,
    target_location,
    template,
    template_pin,
    unknown_reference,
)

RULES: tuple[ModuleType, ...] = (
    single_active,
    active_capability,
    capability_name,
    unknown_reference,
    plaintext_secret,
    secret_scheme,
    deprecated_active,
    deprecation_soon,
    no_active_model,
    template,
    template_pin,
    params_limit,
    target_location,
    suspicious_unicode,
)

STAGE_RULES: dict[str, str] = {
    "yaml-syntax": "Unparsable YAML, a file that is not UTF-8, binary content, tabs used for "
    "indentation, a file over the size limit (10 MB), a missing or empty registry folder.",
    "duplicate-key": "The same key twice in one mapping. PyYAML silently keeps the last one, "
    "so the first value would be lost without a word.",
    "yaml-alias": "Anchors and aliases beyond a small bound (100 alias uses or 200,000 "
    "expanded nodes per document), and recursive aliases: a 'billion laughs' file fails "
    "fast in bounded memory.",
    "schema": "A wrong type, a missing required field, a value out of range, a bad enum value, "
    "a non-string mapping key.",
    "unknown-field": "A field that the document kind does not have, with a did-you-mean.",
    "unknown-kind": "A document with a missing or unknown apiVersion or kind.",
    "duplicate-id": "Two providers, two models of one provider, two templates, two "
    "environments with one id, or a second Registry document. Both places are named.",
}


def run(view: View, *, documents: bool) -> list[Problem]:
    """Run the rules on one effective registry; ``documents`` adds the once-only rules."""
    problems: list[Problem] = []
    for rule in RULES:
        if documents or rule.PER_ENVIRONMENT:
            problems.extend(rule.check(view))
    return problems


def documentation(markup: str = "text") -> dict[str, str]:
    """Every rule id with its documentation, in a stable order.

    The docstrings use reStructuredText literals (````chat````). ``markup="text"`` (what
    ``regctl rules`` prints) drops their backticks; ``"markdown"`` (docs/rules.md) makes
    them Markdown code spans.
    """
    import re

    docs = dict(STAGE_RULES)
    for rule in RULES:
        docs[rule.ID] = (rule.__doc__ or "").strip()
    replacement = {"text": r"\1", "markdown": r"`\1`"}[markup]
    literal = re.compile(r"``([^`]+)``")
    return {rule_id: literal.sub(replacement, doc) for rule_id, doc in docs.items()}
