"""The canonical layout of registry YAML: one set of rules for ``fmt`` and the importers.

Two things write registry files: ``regctl fmt`` (a comment-preserving ruamel.yaml round
trip, :mod:`regctl.authoring.fmt`) and ``regctl import`` (:mod:`regctl.interop.writer`).
Both take their key order from :func:`rule_for` here, and the importers emit text with
:func:`emit`, the same emitter that ``fmt --check`` uses to decide quickly whether a
file is already canonical (:func:`canonical_text`): a file equal to its own emission is
left alone without the slow round trip, so an imported registry is fmt-clean by
construction rather than by two emitters that happen to agree.

The emitter works on *text trees*: ``dict`` (block mapping), ``list`` (block sequence),
:class:`FlowMap` / :class:`FlowSeq` (one-line ``{a: 1}`` / ``[a, b]``) and ``str``
leaves that are already YAML scalar text (``""`` writes an empty value, i.e. null).
The layout is ruamel's with ``indent(mapping=2, sequence=4, offset=2)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from regctl.pipeline import schema

HEAD = ("apiVersion", "kind")


def _fields(cls: Any) -> tuple[str, ...]:
    """A kind's field order is its pydantic model's, which follows the documented order."""
    return tuple(f for f in cls.model_fields if f not in HEAD)


MODEL_ORDER = ("provider", *schema.ModelBody.model_fields)
PROVIDER_ORDER = _fields(schema.ProviderDoc)
VARIABLE_ORDER = _fields(schema.Variable)
# Order of the keys inside nested mappings, by the key that holds them.
NESTED: dict[str, tuple[str, ...]] = {
    "limits": _fields(schema.Limits),
    "supports": _fields(schema.Supports),
    "pricing": _fields(schema.Pricing),
    "defaults": _fields(schema.CallDefaults),
    "params": _fields(schema.CallDefaults),
    "rate_limits": _fields(schema.RateLimits),
    "policy": _fields(schema.Policy),
}


@dataclass(frozen=True)
class Rule:
    """How one mapping is laid out: its key order and the rules of what it holds.

    ``order`` ranks the known keys (unknown keys keep their relative order after them);
    ``nested`` applies :data:`NESTED` to mappings held by those keys; ``fields`` gives the
    rule of the mapping under a key; ``each`` the rule of every mapping inside the list
    or mapping under a key (the models of a provider, the providers of an environment);
    ``values`` (set for such a mapping) the rule of each of its values.
    """

    order: tuple[str, ...] = ()
    nested: bool = False
    fields: Mapping[str, Rule] = field(default_factory=dict)
    each: Mapping[str, Rule] = field(default_factory=dict)
    values: Rule | None = None

    def field(self, key: str) -> Rule | None:
        """The rule of the mapping stored under ``key`` (``None``: keep its order)."""
        if self.values is not None:
            return self.values
        if key in self.each:
            return Rule(values=self.each[key])
        if key in self.fields:
            return self.fields[key]
        if self.nested and key in NESTED:
            return _NESTED_RULES[key]
        return None

    def sorted_keys(self, keys: list[str]) -> list[str]:
        """``keys`` in this rule's order (a stable sort: unknown keys keep theirs)."""
        rank = self._rank
        if not rank:
            return keys
        n = len(rank)
        ranks = [rank.get(k, n) for k in keys]
        if all(a <= b for a, b in pairwise(ranks)):
            return keys
        return [k for _, _, k in sorted(zip(ranks, range(len(keys)), keys))]

    @property
    def _rank(self) -> dict[str, int]:
        cached: dict[str, int] | None = self.__dict__.get("_rank_cache")
        if cached is None:
            cached = {k: i for i, k in enumerate(self.order)}
            object.__setattr__(self, "_rank_cache", cached)
        return cached


_NESTED_RULES = {key: Rule(order) for key, order in NESTED.items()}
MODEL_RULE = Rule(MODEL_ORDER, nested=True)
PROVIDER_RULE = Rule(PROVIDER_ORDER, nested=True, each={"models": MODEL_RULE})
_DOC_RULES: dict[str, Rule] = {
    kind: Rule(HEAD + _fields(cls)) for kind, cls in schema.KINDS.items()
}
_DOC_RULES.update(
    Provider=Rule(HEAD + PROVIDER_ORDER, nested=True, each={"models": MODEL_RULE}),
    Model=Rule(HEAD + MODEL_ORDER, nested=True),
    # ``defaults`` of a Registry maps capabilities, not call parameters: it keeps its order.
    Registry=Rule(
        HEAD + _fields(schema.RegistryDoc),
        fields={
            "policy": Rule(
                NESTED["policy"],
                fields={
                    "failover": Rule(_fields(schema.Failover)),
                    "limits": Rule(_fields(schema.LimitsPolicy)),
                },
            )
        },
    ),
    PromptTemplate=Rule(
        HEAD + _fields(schema.KINDS["PromptTemplate"]),
        nested=True,
        each={"variables": Rule(VARIABLE_ORDER)},
    ),
    Environment=Rule(HEAD + _fields(schema.EnvironmentDoc), each={"providers": PROVIDER_RULE}),
)


def rule_for(kind: object) -> Rule | None:
    """The rule of a document of ``kind`` (``None`` for an unknown kind: left as written)."""
    return _DOC_RULES.get(kind) if isinstance(kind, str) else None


# --- text trees ----------------------------------------------------------------------


class FlowMap(dict[str, str]):
    """A one-line mapping ``{a: 1, b: x}`` (values are scalar text)."""


class FlowSeq(list[str]):
    """A one-line sequence ``[a, b]`` (items are scalar text)."""


class Unsure(Exception):
    """The input is outside what the emitter reproduces exactly (the caller falls back)."""


# Strings that may be written without quotes: they read back as the same string both
# in YAML 1.1 (PyYAML, the validator) and YAML 1.2 (ruamel.yaml, fmt), start with no
# indicator, and hold no ``: `` or `` #``. Anything else is single-quoted.
_PLAIN = re.compile(r"[A-Za-z_/$(][^\x00-\x1f\x7f-\x9f]*")
_FLOW_INDICATORS = re.compile(r"[\[\]{},]")
_NOT_STR = re.compile(
    r"(?i:y|yes|n|no|true|false|on|off|null|~|[-+]?\.?(inf|nan))|[-+.]?[0-9].*|<<|=",
)
_PRINTABLE = re.compile(r"[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
MAX_SCALAR = 2000  # longer lines may be folded by the round trip (width 4096)


# Keys and short values (capabilities, currencies, label values) repeat in every model:
# ``fmt --check`` asks about the same few hundred strings hundreds of thousands of times.
_PLAIN_SEEN: tuple[dict[str, bool], dict[str, bool]] = ({}, {})
_SHORT = 40


def plain_ok(text: str, flow: bool = False) -> bool:
    """Whether ``text`` is written as a plain (unquoted) scalar (``flow``: inside [] or {})."""
    if len(text) > _SHORT:
        return _plain_ok(text, flow)
    seen = _PLAIN_SEEN[flow]
    ok = seen.get(text)
    if ok is None:
        if len(seen) > 100_000:  # bounded: unique ids would otherwise grow it forever
            seen.clear()
        ok = seen[text] = _plain_ok(text, flow)
    return ok


def _plain_ok(text: str, flow: bool) -> bool:
    return (
        len(text) < MAX_SCALAR
        and _PLAIN.fullmatch(text) is not None
        and text[-1] not in " :"
        and not (flow and _FLOW_INDICATORS.search(text))
        and _NOT_STR.fullmatch(text) is None
        and ": " not in text
        and " #" not in text
        and _PRINTABLE.fullmatch(text) is not None
    )


def quoted_ok(text: str) -> bool:
    """Whether ``text`` can be written single-quoted on one line and read back the same."""
    return len(text) < MAX_SCALAR and _PRINTABLE.fullmatch(text) is not None


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


INT = re.compile(r"-?(0|[1-9][0-9]*)")
FLOAT = re.compile(r"-?[0-9]+\.[0-9]*([eE][-+][0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def scalar(value: Any, flow: bool = False) -> str:
    """The canonical YAML text of a Python scalar (raises :class:`Unsure` if it has none)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "." not in text and "e" in text:  # YAML 1.1 needs the dot: 1e-06 -> 1.0e-06
            text = text.replace("e", ".0e", 1)
        if FLOAT.fullmatch(text) is None:
            raise Unsure(f"float {text} has no portable YAML form")
        return text
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        if plain_ok(value, flow):
            return value
        if quoted_ok(value):
            return single_quoted(value)
        return _double_quoted(value)
    raise Unsure(f"no YAML form for {type(value).__name__}")


def _double_quoted(text: str) -> str:
    """Line breaks or control characters: a double-quoted scalar with escapes, one line.

    Written by PyYAML's emitter, whose escapes are ruamel.yaml's (the same code's
    descendants), so ``fmt`` keeps it; ``fmt --check`` takes the slow path for it.
    """
    import yaml

    out: str = yaml.dump(text, default_style='"', allow_unicode=True, width=1 << 30)
    return out.rstrip("\n")


def from_values(value: Any) -> Any:
    """The text tree of plain Python data (what the importers write).

    Lists of scalars are written in flow style (``capabilities: [chat, vision]``),
    lists of mappings in block style; empty collections as ``{}`` / ``[]``.
    """
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            k = str(k)
            out[k if plain_ok(k) else scalar(k)] = from_values(v)
        return out
    if isinstance(value, list | tuple):
        if all(not isinstance(x, dict | list | tuple) for x in value):
            return FlowSeq(scalar(x, flow=True) for x in value)
        return [from_values(x) for x in value]
    return scalar(value)


# --- emitter -------------------------------------------------------------------------


def emit(docs: list[Any], *, header: str = "", explicit_start: bool = False) -> str:
    """Registry YAML text for text-tree documents (mappings), in canonical key order.

    ``header`` (whole-line comments) goes first; ``explicit_start`` writes ``---``
    before the first document; later documents always get ``---``.
    """
    out: list[str] = []
    for i, doc in enumerate(docs):
        if i or explicit_start:
            out.append("---")
        if type(doc) is not dict or not doc:
            raise Unsure("a document that is not a block mapping")
        kind = doc.get("kind")
        if isinstance(kind, str) and kind[:1] in ("'", '"'):
            raise Unsure("a quoted kind")  # the round trip reads it unquoted: its rule applies
        _mapping(doc, rule_for(kind), "", "", out)
    return header + "\n".join(out) + "\n"


_EMPTY: dict[type, str] = {dict: "{}", FlowMap: "{}", list: "[]", FlowSeq: "[]"}


def _flow(value: Any, rule: Rule | None) -> str:
    """``[a, b]`` or ``{k: v}`` on one line; flow collections may nest."""
    if type(value) is FlowSeq:
        return "[" + ", ".join(_flow_item(v, None) for v in value) + "]"
    keys = list(value)
    if rule is not None:
        keys = rule.sorted_keys(keys)
    sub = rule.field if rule is not None else lambda k: None
    return "{" + ", ".join(f"{k}: {_flow_item(value[k], sub(k))}" for k in keys) + "}"


def _flow_item(value: Any, rule: Rule | None) -> str:
    kind = type(value)
    if kind is str and value:
        return str(value)
    if kind is FlowSeq or kind is FlowMap:
        return _flow(value, rule) if value else _EMPTY[kind]
    raise Unsure("an empty value or a block collection inside a flow collection")


def _mapping(node: dict[str, Any], rule: Rule | None, pad: str, lead: str, out: list[str]) -> None:
    """Append ``node`` at indentation ``pad``; its first line starts with ``lead`` instead."""
    keys = rule.sorted_keys(list(node)) if rule is not None else list(node)
    for k in keys:
        v = node[k]
        kind = type(v)
        if kind is str:
            out.append(f"{lead}{k}: {v}" if v else f"{lead}{k}:")
        elif kind is dict and v:
            out.append(f"{lead}{k}:")
            _mapping(v, rule.field(k) if rule is not None else None, pad + "  ", pad + "  ", out)
        elif kind is list and v:
            out.append(f"{lead}{k}:")
            each = rule.each.get(k) if rule is not None else None
            _sequence(v, each, pad + "  ", out)
        elif kind is FlowSeq or kind is FlowMap or kind is dict or kind is list:
            sub = rule.field(k) if rule is not None and kind is FlowMap else None
            out.append(f"{lead}{k}: {_flow(v, sub) if v else _EMPTY[kind]}")
        else:
            raise Unsure(f"cannot emit {kind.__name__}")
        lead = pad


def _sequence(items: list[Any], rule: Rule | None, pad: str, out: list[str]) -> None:
    for item in items:
        kind = type(item)
        if kind is str and item:
            out.append(f"{pad}- {item}")
        elif kind is dict and item:
            _mapping(item, rule, pad + "  ", pad + "- ", out)
        elif kind is FlowSeq or kind is FlowMap:
            sub = rule if kind is FlowMap else None
            out.append(f"{pad}- {_flow(item, sub) if item else _EMPTY[kind]}")
        else:
            raise Unsure("a sequence item that is empty or a nested block sequence")
