"""A fast reader for the YAML a registry is written in; libyaml decides everything else.

Registry files are block mappings and sequences of one-line scalars and one-line flow
collections (``capabilities: [chat, tools]``, ``limits: {context_window: 8192}``), the
layout ``regctl fmt`` writes. For that subset this reader builds the same values as
:mod:`regctl.pipeline.source`'s libyaml path (same types, the same YAML 1.1 resolution
as ``yaml.safe_load``, the same numbering of collections, so positions are found the same
lazy way) about five times faster, and without importing PyYAML.

It never reports a problem and never guesses: the moment a file leaves the subset (an
anchor, alias, tag or merge key, a block or multi-line scalar, an escape in a quoted
string, a tab, an unusual indentation, a duplicate key, a key that is not a string,
a number that needs more than ``int()``/``float()``, a timestamp with a time, a control
character, nesting beyond the bound), :func:`parse` returns ``None`` and the caller reads
the file with libyaml, which reports whatever is wrong with its exact place. A
differential test holds both readers to the same documents on real and generated files.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from typing import Any

from regctl.messages.problems import Location
from regctl.pipeline.positions import Origin, PosDict, PosList

MAX_DEPTH = 100  # source_guard.MAX_DEPTH (not imported: that module imports PyYAML)
_SHORT = 24  # values shorter than this are interned, as the libyaml path does
_MAX_KEY = 512  # libyaml refuses implicit keys over 1,024 characters: leave those to it
_intern = sys.intern


class _Decline(Exception):
    """The file leaves the subset: libyaml reads it."""


_NO = _Decline()

# What libyaml refuses or reads in ways this reader does not follow: characters outside
# YAML's printable set (yaml.reader.Reader.NON_PRINTABLE), tabs, other line breaks
# (CR, NEL, LS, PS) and a BOM inside the text.
_UNUSUAL = re.compile(  # the complement of what the reader accepts (surrogates cannot be
    # decoded from UTF-8); written this way it compiles in 0.1 ms instead of 3.5 ms
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]"
).search

# YAML 1.1 implicit types, as PyYAML's resolver (yaml.resolver.Resolver) lists them, in
# its order; a test checks this table against PyYAML's.
IMPLICIT: tuple[tuple[str, str, str], ...] = (
    (
        "bool",
        r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
        "yYnNtTfFoO",
    ),
    (
        "float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "int",
        r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    (
        "null",
        r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
        "~nN\0",
    ),
    (
        "timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("value", r"^(?:=)$", "="),
    ("yaml", r"^(?:!|&|\*)$", "!&*"),
)
_BY_FIRST: dict[str, list[tuple[str, Any]]] = {}
for _tag, _pattern, _first in IMPLICIT:
    for _ch in _first:
        _BY_FIRST.setdefault(_ch, []).append((_tag, re.compile(_pattern, re.X).match))

_TRUE = frozenset({"yes", "true", "on"})
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,18})\Z").match
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?\Z").match
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z").match
_PRICE = re.compile(r"[0-9]+\.[0-9]+\Z").match
_MISSING = object()
_PLAIN: dict[str, Any] = {}  # plain scalar text -> value (or _MISSING: leave it to libyaml)
_FLOWS: dict[str, Any] = {}  # text inside a simple flow collection -> its items or pairs
_CACHE_BOUND = 100_000
_NOT_SIMPLE = re.compile("[\\[\\]{}'\"#]").search


def _resolve(text: str) -> Any:
    """The value of a plain scalar, as ``yaml.safe_load`` and the libyaml path give it."""
    value = _PLAIN.get(text, _PLAIN)
    if value is _PLAIN:
        value = _bounded(_PLAIN)[text] = _construct(text)
    if value is _MISSING:
        raise _NO
    return value


def _construct(text: str) -> Any:
    # A price and a date, the registry's commonest typed scalars, decided directly: the
    # table below gives these two shapes exactly this (YAML 1.1 float; timestamp with a
    # date only) after trying its patterns in turn
    if _PRICE(text):
        value = float(text)
        return value if math.isfinite(value) else _MISSING
    parts = _DATE(text)
    if parts:
        try:
            return dt.date(*map(int, parts.groups()))
        except ValueError:
            return _MISSING
    for tag, match in _BY_FIRST.get(text[:1], ()):
        if not match(text):
            continue
        if tag == "bool":
            return text.lower() in _TRUE
        if tag == "null":
            return None
        if tag == "int" and _DECIMAL(text):
            number = int(text)
            return number if -(2**63) <= number < 2**63 else _MISSING
        if tag == "float" and _FLOAT(text):
            value = float(text)
            return value if math.isfinite(value) else _MISSING
        if tag == "timestamp":
            parts = _DATE(text)
            if parts:
                try:
                    return dt.date(*map(int, parts.groups()))
                except ValueError:
                    return _MISSING
        return _MISSING  # 0x1F, 1_000, 1:20, .inf, times, <<, =, ...: libyaml's path
    return _intern(text) if len(text) < _SHORT else text


# A block mapping key: plain (no spaces, no ': ', not starting with an indicator) or
# quoted without escapes; then ':' and the end of the line or a space.
_KEY = re.compile(
    r"""(?:([^\s'"#:\[\]{},&*!|>%@`?-][^\s:#]*|-[^\s:#]+)|"([^"\\]*)"|'((?:[^']|'')*)')"""
    r":(?: +(.*))?\Z"
).match
_FLOW_PLAIN = re.compile(r"[^\s'\"#:\[\]{},&*!|>%@`?-](?:[^:#\[\]{},]|:(?=[^\s\[\]{},]))*").match
_INDICATORS = frozenset("&*!|>%@`'\"#?:,]}")
_LITERAL = re.compile(r"\|(-?)(?: +#.*)?\Z").match
# first characters after which a block value is not a plain scalar (or may not be one)
_INDICATOR_FIRST = frozenset("[{\"'|>&*!%@`#?:,]}-")
_FLOW_FIRST = frozenset("&*!|>%@`'\"#?:,[]{}-")


_KEYS: dict[str, str] = {}  # plain key text -> the key (interned), for keys read before


def _key(content: str) -> tuple[str | None, str]:
    """The key of a ``key: value`` line and the text after the colon (``None``: not one)."""
    m = _KEY(content)
    if m is None:
        return None, ""
    plain, dquoted, squoted, rest = m.groups()
    if plain is not None:
        key = _resolve(plain)
        if type(key) is not str:
            raise _NO  # `yes:` or `1:`: the libyaml path reports it
        if len(key) <= _MAX_KEY:
            _bounded(_KEYS)[plain] = _intern(key)
    else:
        key = dquoted if dquoted is not None else squoted.replace("''", "'")
    if len(key) > _MAX_KEY:
        raise _NO
    return _intern(key), rest or ""


def _bounded(cache: dict[str, Any]) -> dict[str, Any]:
    """``cache``, emptied first when it grew past its bound (a long-lived process)."""
    if len(cache) > _CACHE_BOUND:
        cache.clear()
    return cache


class _Reader:
    """One file's documents, read line by line (see the module docstring)."""

    def __init__(self, lines: list[str], origin: Origin, final_newline: bool = True) -> None:
        self.lines = lines
        self.origin = origin
        self.final_newline = final_newline  # whether the last line ends with a line break
        self.i = 0  # index of the current line
        self.depth = 0
        # (indent, content) of the current line, content "" for blank/comment lines;
        # a sequence item's compact mapping rewrites it (see _sequence)
        self.cur: tuple[int, str] | None = None

    def line(self) -> tuple[int, str] | None:
        """The next content line (skipping blank and comment lines), or None at the end."""
        lines = self.lines
        while self.i < len(lines):
            if self.cur is not None:
                return self.cur
            raw = lines[self.i]
            content = raw.lstrip(" ")
            if content and content[0] != "#":
                self.cur = (len(raw) - len(content), content.rstrip(" "))
                return self.cur
            self.i += 1
        return None

    def advance(self) -> None:
        self.i += 1
        self.cur = None

    def new_ordinal(self) -> int:
        origin = self.origin
        origin.count += 1
        return origin.count - 1

    def block(self, indent: int, content: str) -> Any:
        """The collection that starts on the current line."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _NO
        if content[:2] == "- " or content == "-":
            value: Any = self.sequence(indent, indentless=False)
        else:
            value = self.mapping(indent)
        self.depth -= 1
        return value

    def mapping(self, indent: int) -> PosDict:
        # The hot loop (one pass per key of every file): the next-line logic of line() is
        # written out, and a key's or a plain value's reading comes from a cache.
        out = PosDict.lazy(self.origin, self.new_ordinal())
        lines, n = self.lines, len(self.lines)
        keys, plain, flows, special = _KEYS, _PLAIN, _FLOWS, _INDICATOR_FIRST
        while True:
            cur = self.cur
            if cur is None:
                i = self.i
                while i < n:
                    raw = lines[i]
                    content = raw.lstrip(" ")
                    if content and content[0] != "#":
                        break
                    i += 1
                else:
                    self.i = i
                    return out
                self.i = i
                at = len(raw) - len(content)
                if content[-1] == " ":
                    content = content.rstrip(" ")
                if at < indent:
                    self.cur = (at, content)
                    return out
            else:
                at, content = cur
                if at < indent:
                    return out
            # a deeper line here would continue the previous value (or be an error):
            # either way libyaml's reading
            if at != indent:
                raise _NO
            colon = content.find(":")
            head = content[:colon]
            key = keys.get(head) if colon > 0 else None
            if key is not None and (colon + 1 == len(content) or content[colon + 1] == " "):
                rest = content[colon + 1 :].lstrip(" ")
            else:
                key, rest = _key(content)
                if key is None:
                    raise _NO  # not `key: value`
            if key in out:
                raise _NO  # a duplicate key: the libyaml path reports it
            self.i += 1
            self.cur = None
            if not rest or rest[0] == "#":
                out[key] = self.nested(indent)
                continue
            first = rest[0]
            if first not in special and " #" not in rest and ": " not in rest:
                value = plain.get(rest, plain)
                if value is plain or value is _MISSING:
                    if rest[-1] == ":" or rest[:2] == "- ":
                        raise _NO
                    value = _resolve(rest)
                out[key] = value
            elif (first == "{" or first == "[") and rest in flows and self.depth < MAX_DEPTH:
                # a flow collection read before, alone on its line (see flow())
                if first == "{":
                    mapping = PosDict.lazy(self.origin, self.new_ordinal())
                    mapping.update(flows[rest])
                    out[key] = mapping
                else:
                    seq = PosList.lazy(self.origin, self.new_ordinal())
                    seq.extend(flows[rest])
                    out[key] = seq
            elif first == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                value = rest[1:-1]  # "text" alone on its line, no escapes: the text itself
                out[key] = _intern(value) if len(value) < _SHORT else value
            elif first == "|":
                out[key] = self.literal(indent, rest)
            else:
                out[key] = self.inline(rest)

    def nested(self, indent: int) -> Any:
        """The value of a key with nothing after its colon: a block below it, or null."""
        cur = self.line()
        if cur is None:
            return None
        at, content = cur
        if at > indent:
            return self.block(at, content)
        if at == indent and (content[:2] == "- " or content == "-"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _NO
            value = self.sequence(indent, indentless=True)
            self.depth -= 1
            return value
        return None

    def literal(self, indent: int, header: str) -> str:
        """A literal block scalar (``|`` or ``|-``) under a key at ``indent``: prompt text."""
        head = _LITERAL(header)
        if head is None:
            raise _NO  # `|+`, `|2`, `>`: libyaml's reading
        lines, i = self.lines, self.i
        first = lines[i] if i < len(lines) else ""
        body = first.lstrip(" ")
        at = len(first) - len(body)
        if not body or at <= indent:
            raise _NO  # leading blank lines or an empty scalar
        content = []
        while i < len(lines):
            line = lines[i]
            body = line.lstrip(" ")
            if not body:
                if len(line) > at:
                    raise _NO  # spaces beyond the indentation are content
                content.append("")
            elif len(line) - len(body) < at:
                break
            else:
                content.append(line[at:])
            i += 1
        if i == len(lines) and not self.final_newline:
            raise _NO  # the last line has no line break to keep
        while content[-1] == "":
            content.pop()  # trailing blank lines: chomping drops them
        self.i, self.cur = i, None
        value = "\n".join(content) + ("" if head.group(1) else "\n")
        return _intern(value) if len(value) < _SHORT else value

    def sequence(self, indent: int, indentless: bool) -> PosList:
        out = PosList.lazy(self.origin, self.new_ordinal())
        append = out.append
        while True:
            cur = self.line()
            if cur is None or cur[0] < indent:
                return out
            at, content = cur
            if at != indent:
                raise _NO
            if content[:2] != "- ":
                if indentless:
                    return out  # the parent mapping's next key
                raise _NO
            item = content[2:].lstrip(" ")
            if not item or item[0] == "#" or item[:2] == "- " or item == "-":
                raise _NO  # a block under the dash, or a nested compact sequence
            col = at + len(content) - len(item)
            if _KEY(item):  # `- key: value` starts a mapping at the key's column
                self.cur = (col, item)
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise _NO
                append(self.mapping(col))
                self.depth -= 1
            else:
                self.advance()
                append(self.inline(item))  # a deeper next line is refused by this loop

    def inline(self, text: str) -> Any:
        """A value written on one line after ``key:`` or ``-``."""
        first = text[0]
        if first == "[" or first == "{":
            value, rest = self.flow(text)
            _end(rest)
            return value
        if first == '"' or first == "'":
            value, rest = _quoted(text)
            _end(rest)
            return value
        if first in _INDICATORS or text[:2] == "- " or text == "-":
            raise _NO
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise _NO
        return _resolve(text)

    def flow(self, text: str) -> tuple[Any, str]:
        """A one-line flow sequence or mapping, and the text after it."""
        close = "]" if text[0] == "[" else "}"
        end = text.find(close)
        if end < 0:
            raise _NO  # continues on the next line
        if self.depth >= MAX_DEPTH:
            raise _NO
        # the usual case, `[chat, tools]` or `{rpm: 10, tpm: 100}`: split at the commas;
        # the same text recurs from model to model, so its reading is cached (scalars
        # are immutable: sharing them is safe)
        cached = _FLOWS.get(text[: end + 1])
        if cached is None:
            inner = text[1:end]
            if _NOT_SIMPLE(inner):  # nested, quoted or commented: read piece by piece
                value, pos = self.flow_node(text, 0, self.depth + 1)
                return value, text[pos:]
            cached = _bounded(_FLOWS)[text[: end + 1]] = _simple_flow(inner, close)
        if close == "]":
            seq = PosList.lazy(self.origin, self.new_ordinal())
            seq.extend(cached)
            return seq, text[end + 1 :]
        out = PosDict.lazy(self.origin, self.new_ordinal())
        out.update(cached)
        return out, text[end + 1 :]

    def flow_node(self, text: str, pos: int, depth: int) -> tuple[Any, int]:
        """Any flow value at ``pos`` (nested collections, quoted scalars) and its end."""
        while text[pos : pos + 1] == " ":
            pos += 1
        first = text[pos : pos + 1]
        if first != "[" and first != "{":
            return _flow_scalar(text, pos)
        if depth > MAX_DEPTH:
            raise _NO
        mapping = first == "{"
        out: Any = (PosDict if mapping else PosList).lazy(self.origin, self.new_ordinal())
        close = "}" if mapping else "]"
        pos += 1
        while True:
            while text[pos : pos + 1] == " ":
                pos += 1
            if text[pos : pos + 1] == close and not out:
                return out, pos + 1  # empty
            if mapping:
                key, pos = _flow_scalar(text, pos)
                if type(key) is not str or len(key) > _MAX_KEY or key in out:
                    raise _NO
                if text[pos : pos + 2] != ": ":
                    raise _NO  # `{a}`, `{a:b}`: libyaml's reading
                out[_intern(key)], pos = self.flow_node(text, pos + 2, depth + 1)
            else:
                item, pos = self.flow_node(text, pos, depth + 1)
                out.append(item)
            while text[pos : pos + 1] == " ":
                pos += 1
            sep = text[pos : pos + 1]
            if sep == close:
                return out, pos + 1
            if sep != ",":
                raise _NO
            pos += 1
            while text[pos : pos + 1] == " ":
                pos += 1
            if text[pos : pos + 1] in (close, ""):
                raise _NO  # a trailing comma


def _simple_flow(inner: str, close: str) -> tuple[Any, ...]:
    """The items (or key, value pairs) inside ``[...]``/``{...}`` without quotes or nesting."""
    if not inner.strip(" "):
        return ()
    if close == "]":
        return tuple(_plain(item) for item in inner.split(","))
    pairs: dict[str, Any] = {}
    for item in inner.split(","):
        key, colon, value = item.partition(":")
        if not colon or value[:1] != " ":
            raise _NO  # `{a}`, `{a:b}`, a trailing comma: libyaml's reading
        key = _plain(key)
        if type(key) is not str or len(key) > _MAX_KEY or key in pairs:
            raise _NO
        pairs[_intern(key)] = _plain(value)
    return tuple(pairs.items())


def _plain(text: str) -> Any:
    """A plain scalar of a flow collection without quotes (``#``, brackets already ruled out)."""
    text = text.strip(" ")
    # `env:KEY` is one scalar; `a: b` would be a pair and `a:` a key (libyaml's reading)
    if not text or text[0] in _FLOW_FIRST or ": " in text or text[-1] == ":":
        raise _NO
    value = _PLAIN.get(text, _PLAIN)
    return value if value is not _PLAIN and value is not _MISSING else _resolve(text)


def _end(rest: str) -> None:
    """Only spaces or a comment may follow a quoted or flow value on its line."""
    stripped = rest.lstrip(" ")
    if stripped and (stripped[0] != "#" or stripped == rest):
        raise _NO


def _quoted(text: str) -> tuple[str, str]:
    """A one-line quoted scalar without escapes, and the text after it."""
    if text[0] == '"':
        end = text.find('"', 1)
        if end < 0 or "\\" in text[1:end]:
            raise _NO
        value = text[1:end]
    else:
        end = 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise _NO
            if text[end + 1 : end + 2] != "'":
                break
            end += 2
        value = text[1:end].replace("''", "'")
    return (_intern(value) if len(value) < _SHORT else value), text[end + 1 :]


def _flow_scalar(text: str, pos: int) -> tuple[Any, int]:
    """One scalar of a flow collection starting at ``pos`` (spaces skipped), and its end.

    Works with positions, never with the rest of the line as a new string: a hostile
    line of a million items must stay linear.
    """
    while text[pos : pos + 1] == " ":
        pos += 1
    quote = text[pos : pos + 1]
    if quote == '"':
        end = text.find('"', pos + 1)
        if end < 0:
            raise _NO
        value = text[pos + 1 : end]
        if "\\" in value:
            raise _NO  # an escape: libyaml's reading
        return (_intern(value) if len(value) < _SHORT else value), end + 1
    if quote == "'":
        end = pos + 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise _NO
            if text[end + 1 : end + 2] != "'":
                break
            end += 2
        value = text[pos + 1 : end].replace("''", "'")
        return (_intern(value) if len(value) < _SHORT else value), end + 1
    m = _FLOW_PLAIN(text, pos)
    if m is None:
        raise _NO
    return _resolve(m.group().rstrip(" ")), m.end()


def parse(text: str, origin: Origin, file: str) -> list[tuple[Any, Location]] | None:
    """The documents of one decoded file as (value, position), or ``None``: ask libyaml."""
    if _UNUSUAL(text):
        return None
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line[:3] in ("---", "...") or line[:1] == "%"]
    if any(lines[i] != "---" for i in starts):
        return None  # `--- value`, `...`, a directive
    bounds = [*starts, len(lines)]
    chunks = [(0, bounds[0])] if bounds[0] else []
    chunks += [(bounds[k] + 1, bounds[k + 1]) for k in range(len(starts))]
    docs: list[tuple[Any, Location]] = []
    try:
        for start, stop in chunks:
            reader = _Reader(lines[:stop], origin, stop < len(lines) or text.endswith("\n"))
            reader.i = start
            cur = reader.line()
            if cur is None:
                if start == 0 and starts:
                    continue  # comments before the first `---`
                return None  # an empty document: libyaml's reading
            at, content = cur
            first = reader.i
            value = reader.block(at, content)
            if reader.line() is not None:
                return None
            docs.append((value, Location(file, first + 1, at + 1)))
    except (_Decline, RecursionError):
        return None
    return docs
