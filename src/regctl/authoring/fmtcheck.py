"""Is a registry file already in ``fmt``'s canonical form? Decided at C-parser speed.

``fmt`` rewrites files with a comment-preserving ruamel.yaml round trip, which is pure
Python and about 25 times slower than validating. Most files are already canonical (a
pre-commit hook runs ``fmt --check`` on every commit), so :func:`is_canonical` first
composes the file with libyaml, rebuilds the text tree with every scalar written the
way the canonical layout writes it (:mod:`regctl.pipeline.layout`), emits it, and compares bytes.
Equal means canonical; so does equal but for comments and blank lines in the places where
the round trip is known to keep them (:func:`_with_trivia`). Anything else the emitter
does not reproduce exactly (anchors, tags, block scalars, other spellings of numbers and
booleans, ...) makes the text differ or raises :class:`~regctl.pipeline.layout.Unsure`, and only
then is the round trip run. So the answer is the round trip's answer, computed faster.
A file that differs but holds nothing the emitter does not describe (no comments below a
leading block, no blank lines, ...) gets the emitter's text as its canonical form
(:func:`canonical_form`): the round trip would write the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from regctl.authoring.files import Snapshot, registry_files, write_checked
from regctl.base.errors import RegctlError
from regctl.base.i18n import msg
from regctl.io import safeio
from regctl.messages import progress
from regctl.pipeline.layout import (
    DATE,
    FLOAT,
    INT,
    FlowMap,
    FlowSeq,
    Unsure,
    emit,
    plain_ok,
    quoted_ok,
    single_quoted,
)
from regctl.pipeline.libyaml_read import _Loader
from regctl.pipeline.source import MAX_FILE_BYTES

_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _T + "str", _T + "seq", _T + "map"
_LITERALS = frozenset({"", "true", "false"})
# Comments and blank lines ("trivia") that the round trip keeps exactly where they are
# when it has no key to move (tested against ruamel.yaml in tests/authoring/test_fmtcheck):
# a whole-line comment indented with spaces, an empty line, an end-of-line comment after
# spaces. Not: whitespace-only lines, a tab before a comment, a comment on a ``---`` line,
# empty lines right before ``---`` (kept after some values, dropped after others), empty
# lines at the very start, and any trivia right before a list item that is a flow
# collection with an end-of-line comment (``- {scope: all}  # note``: ruamel.yaml drops
# the lines above it). A fuzz test drops trivia at random into real files to hold this.
_COMMENT_LINE = re.compile(r" *#[^\n]*")
_EOL_COMMENT = re.compile(r" +#[^\n]*")
_FLOW_ITEM = re.compile(r" *- [\[{]")


# What the emitter does not describe: with none of it in a file (below a leading block of
# comment lines), the file's canonical form is exactly that block and the emitter's text
# (held against ruamel.yaml by a test).
_HEADER = re.compile(r"(?:#[^\n]*\n(?:#[^\n]*\n|\n)*)?")
_NOT_BARE = re.compile(r"[#\r\t\ufeff]|^ *\n|^(?:\.\.\.|%|---[^\n])", re.MULTILINE)


def canonical_form(raw: bytes) -> str | None:
    """The text ``fmt`` writes for this file, when it can be told without the round trip.

    The file itself when it is canonical; the emitter's text when the file holds nothing
    the emitter does not describe (no comments, blank lines, tabs, CR, byte-order mark,
    directives or document-end markers; every scalar in a form it reproduces); ``None``
    when only the round trip can tell.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\n") or text.startswith("\n"):
        return None
    try:
        docs = _documents(raw)
        emitted = emit(docs, explicit_start=text.startswith("---\n"))
    except (Unsure, yaml.YAMLError, RecursionError):
        return None
    # Most files have no trivia at all: one comparison in C. Otherwise the file must be
    # the emitted lines with only trivia added.
    if emitted == text or _with_trivia(text, emitted):
        return text
    # A leading block of whole-line comments stays on top whatever moves below it.
    header = _HEADER.match(text)
    assert header is not None  # the pattern matches the empty string
    body = header.end()
    if (body and text.startswith("---", body)) or _NOT_BARE.search(text, body) is not None:
        return None
    return header.group() + emitted


def is_canonical(raw: bytes) -> bool:
    """True only if ``fmt`` would leave this file byte for byte as it is."""
    form = canonical_form(raw)
    return form is not None and form.encode("utf-8") == raw


def _with_trivia(text: str, emitted: str) -> bool:
    """Whether ``text`` is ``emitted`` plus comments and blank lines the round trip keeps."""
    out = emitted.split("\n")[:-1]
    want, n = 0, len(out)
    trivia = blanks = 0  # trivia lines, and empty lines, right before the current line
    for line in text.split("\n")[:-1]:
        expected = out[want] if want < n else None
        if expected is not None and line == expected:
            if expected == "---" and blanks:
                return False
        elif (
            expected is not None
            and expected != "---"
            and line.startswith(expected)
            and _EOL_COMMENT.fullmatch(line, len(expected)) is not None
        ):
            if trivia and _FLOW_ITEM.match(expected):
                return False
        elif not line:
            trivia, blanks = trivia + 1, blanks + 1
            continue
        elif _COMMENT_LINE.fullmatch(line):
            trivia, blanks = trivia + 1, 0
            continue
        else:
            return False
        want, trivia, blanks = want + 1, 0, 0
    return want == n


_PLAIN_SCALAR = "regctl:plain"  # an untagged plain scalar, not yet resolved


class _CheckLoader(_Loader):
    """The C loader with no tag resolution at all.

    A plain scalar is canonical exactly when the emitter writes it back unchanged, and
    :func:`_scalar` decides that from its text alone; resolving every scalar first (what
    the validator's loader must do) cost a fifth of the check.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN_SCALAR if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


def _documents(raw: bytes) -> list[object]:
    loader = _CheckLoader(raw)
    try:
        docs = []
        while loader.check_node():
            docs.append(_tree(loader.get_node(), set()))
        return docs
    finally:
        loader.dispose()


def _tree(node: Any, seen: set[int]) -> object:
    kind = type(node)
    if kind is ScalarNode:
        return _scalar(node)
    if id(node) in seen:  # an alias: never expand it (an alias bomb would be exponential)
        raise Unsure("an alias")
    seen.add(id(node))
    if node.tag not in (_MAP, _SEQ):
        raise Unsure("tagged collection")
    if kind is MappingNode:
        flow = node.flow_style
        out: dict[str, Any] = FlowMap() if flow else {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode or key_node.tag != _PLAIN_SCALAR:
                raise Unsure("a key that is not a plain string")
            key = key_node.value
            if key in out or not plain_ok(key, flow):
                raise Unsure("duplicate or unusual key")
            out[key] = (
                _scalar(value_node, flow)
                if type(value_node) is ScalarNode
                else _tree(value_node, seen)
            )
        return out
    if node.flow_style:
        return FlowSeq(
            _scalar(item, True) if type(item) is ScalarNode else _tree(item, seen)  # type: ignore[misc]
            for item in node.value
        )
    return [_tree(item, seen) for item in node.value]


def _scalar(node: Any, flow: bool = False) -> str:
    """The scalar as the canonical layout writes it (compared with the source later)."""
    tag: str = node.tag
    value: str = node.value
    style: str | None = node.style
    if style == "":  # plain
        # Written back as it is (a string that reads as a string in YAML 1.1 and 1.2, a
        # number, date, true, false or the empty null) or else not canonical: the emitter
        # would spell it differently (``True``, ``yes``, ``~``, ``0x1F``, ``1_000``, ...).
        if tag == _PLAIN_SCALAR and (
            plain_ok(value, flow)
            or value in _LITERALS
            or INT.fullmatch(value)
            or FLOAT.fullmatch(value)
            or DATE.fullmatch(value)
        ):
            return value
        raise Unsure("a scalar form the emitter does not reproduce")
    if tag == _STR and quoted_ok(value):
        if style == "'":
            return single_quoted(value)
        if style == '"' and '"' not in value and "\\" not in value:
            return '"' + value + '"'
    raise Unsure("a quoted or block scalar form the emitter does not reproduce")


@dataclass(frozen=True)
class FmtResult:
    """Files whose text differs from the canonical form, and files that could not be read."""

    changed: tuple[Path, ...]
    failed: tuple[tuple[Path, str], ...]
    #: how many registry files were looked at
    checked: int = 0


def format_paths(paths: Sequence[Path], *, check: bool) -> FmtResult:
    """Format every registry file below ``paths``; with ``check`` only report, never write."""
    changed: list[Path] = []
    failed: list[tuple[Path, str]] = []
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise RegctlError(msg("{path}: no such file or folder", path=str(p)))
        files.extend(registry_files(p))
    progress.total("files checked", len(files))
    for f in files:
        progress.advance("files checked")
        try:
            raw = safeio.read_regular(f, MAX_FILE_BYTES)
            form = canonical_form(raw)
            if form is not None and form.encode("utf-8") == raw:
                continue
            snap = Snapshot.of(f, raw)  # a later change on disk is caught when writing
        except safeio.SafeReadError as exc:
            failed.append((f, f"cannot read file: {exc}"))
            continue
        except UnicodeDecodeError:
            failed.append((f, "not UTF-8"))
            continue
        # the round trip only where the emitter cannot tell the canonical text by itself
        new, error = _round_trip(snap.text) if form is None else (form, None)
        if error is not None:
            failed.append((f, error))
        elif new != snap.text:
            changed.append(f)
            if not check:
                write_checked([(snap, new)])
    return FmtResult(tuple(changed), tuple(failed), len(files))


def _round_trip(text: str) -> tuple[str, str | None]:
    """The canonical text by the comment-preserving round trip, or the YAML error."""
    from ruamel.yaml.error import YAMLError  # imported only when a file needs it

    from regctl.authoring.fmt import format_text

    try:
        return format_text(text), None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark is not None else ""
        # ruamel's message spans lines (a context, a pointer): its first line is the reason
        reason = str(getattr(exc, "problem", None) or exc).strip().splitlines() or ["YAML error"]
        return text, f"{where}{reason[0]}"
