"""suspicious-unicode: bidi controls and invisible characters in ids, URLs and names."""

from __future__ import annotations

import re

import pytest

from conftest import Check
from regctl.base.textsafe import BIDI, INVISIBLE, JOINERS

SUSPECT = re.compile(f"[{BIDI}{INVISIBLE}{JOINERS}]")

PROVIDER = """apiVersion: regctl/v1
kind: Provider
id: beta
display_name: {display}
api: openai-compatible
base_url: {url}
credentials: [env:BETA_API_KEY]
labels: {{team: {label}}}
models:
  - id: beta-chat
    upstream_id: {upstream}
    display_name: Beta Chat
    description: {description}
    capabilities: [chat]
    active: [chat]
"""
OK = {
    "display": "Beta",
    "url": "https://beta.example.com/v1",
    "label": "platform",
    "upstream": "beta-chat-1",
    "description": "plain",
}
LINES = {"display": 4, "url": 6, "label": 8, "upstream": 11}


def _problems(check: Check, **fields: str) -> list[tuple[int, int, str]]:
    text = PROVIDER.format(**{**OK, **fields})
    got = check({"providers/beta.yaml": text}, rule="suspicious-unicode")
    return [(p.location.line, p.location.col, p.message) for p in got]


# (field, value as written in YAML, 1-based column of the character or None for clean)
CASES = [
    ("url", "https://evil.example/\u202e1v/moc.iapnepo.ipa//:sptth", 32),
    ("url", "https://api.openai\u200b.com/v1", 29),
    ("url", "https://api.openai.com/v1\u200e", 36),
    ("url", "https://api.openai.com/v1\u061c", 36),
    ("upstream", "gpt-4o\u2066", 24),
    ("upstream", "gpt\u00ad4o", 21),
    ("upstream", "gpt-4o\ufeff", 24),
    ("upstream", "gpt-4o\U000e0041", 24),
    ("upstream", "gpt\u200c4o", 21),  # joiners are not for ids
    ("upstream", "gpt\u200d4o", 21),
    ("upstream", "gpt-4o\ufe0f", 24),
    ("display", "Beta\u202c", 19),
    ("display", "Beta\u3164", 19),
    ("display", "Be\u200cta", 17),  # a joiner between ASCII letters: a lookalike
    ("display", "بتا\u200c", 18),  # ... or at the end of a word
    ("label", "\u2067x\u2069", 16),
    ("display", "بتا\u200cی", None),  # ZWNJ inside a Persian word
    ("display", "\U0001f469\u200d\U0001f4bb", None),  # an emoji ZWJ sequence
    ("display", "\u2764\ufe0f", None),  # an emoji presentation selector
    ("label", "تیم\u200cها", None),
    ("description", "free text \u202e is not checked \u200b", None),
    ("url", "https://beta.example.com/v1", None),
]


@pytest.mark.parametrize(("field", "value", "col"), CASES)
def test_each_character_class(check: Check, field: str, value: str, col: int | None) -> None:
    got = _problems(check, **{field: value})
    if col is None:
        assert got == []
        return
    assert len(got) == 1, got
    line, column, message = got[0]
    assert (line, column) == (LINES[field], col)
    assert "U+" in message and message.endswith("remove it")
    # The message shows the value with the character escaped, never the raw character.
    bad = SUSPECT.search(value)
    assert bad is not None and bad.group() not in message


def test_quoted_escape_is_found_at_the_value(check: Check) -> None:
    got = _problems(check, display='"Beta\\u202e"')
    assert [(line, col) for line, col, _ in got] == [(4, 15)]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in got[0][2] and "\\u202e" in got[0][2]


def test_mapping_keys_are_ids(check: Check) -> None:
    text = PROVIDER.format(**OK).replace("labels: {team:", "labels: {te\u200bam:")
    got = check({"providers/beta.yaml": text}, rule="suspicious-unicode")
    assert [(p.location.line, p.location.col) for p in got] == [(8, 12)]
    assert "mapping key" in got[0].message


def test_template_text_and_variable_defaults_are_free(check: Check) -> None:
    template = (
        "apiVersion: regctl/v1\nkind: PromptTemplate\nid: t\ncapability: chat\n"
        'variables: {lang: {default: "\u200fفارسی"}}\n'
        'system: "\u202bRTL\u202c"\nuser: "{{ lang }}"\n'
    )
    assert check({"prompts/t.yaml": template}, rule="suspicious-unicode") == []
    pinned = template.replace("capability: chat", "capability: chat\u200b")
    got = check({"prompts/t.yaml": pinned}, rule="suspicious-unicode")
    assert [p.location.line for p in got] == [4]
