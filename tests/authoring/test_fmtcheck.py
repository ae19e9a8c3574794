"""The fast canonical check agrees with fmt's round trip: it may only say "canonical"
for text the round trip leaves unchanged, and it says so for plain canonical files."""

from __future__ import annotations

from pathlib import Path

import pytest

from regctl.authoring.fmt import format_text
from regctl.authoring.fmtcheck import format_paths, is_canonical

REPO = Path(__file__).resolve().parents[2]

CANONICAL = """\
# yaml-language-server: $schema=../schemas/registry.schema.json
# a second comment line

apiVersion: regctl/v1
kind: Provider
id: acme
display_name: 'Acme, Inc.'
api: openai
credentials: [env:ACME_KEY]
defaults: {temperature: 0.5, max_tokens: 100}
models:
  - id: a-1
    display_name: "A 1"
    capabilities: [chat, vision]
    active: true
    limits:
      context_window: 128000
      max_output_tokens: 4096
    pricing: {input_per_mtok: 1.0e-06, output_per_mtok: 2.50}
    released: 2024-05-01
    description: it's a model, with commas [and brackets]
    labels: {}
  - id: b
    capabilities: []
    deprecated:
---
apiVersion: regctl/v1
kind: Model
provider: acme
id: c
"""

# Each differs from what the round trip writes, or is a form the fast check does not
# reproduce; either way the fast check must not call it canonical.
NOT_FAST = {
    "null spelled out": "a: null\n",
    "tilde null": "a: ~\n",
    "capitalised bool": "a: True\n",
    "yes as bool": "a: yes\n",
    "key order": "kind: Provider\napiVersion: regctl/v1\n",
    "nested key order": (
        "apiVersion: regctl/v1\nkind: Model\nlimits: {max_output_tokens: 1, context_window: 2}\n"
    ),
    "flow spacing": "a: [x,y]\n",
    "unindented list": "a:\n- x\n",
    "hex int": "a: 0x1F\n",
    "plain numeric-looking string": "a: 1e3\n",
    "multi-line plain": "a: one\n  two\n",
    "anchor": "a: &x {b: 1}\nc: *x\n",
    "alias bomb": "a: &a [x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    ),
    "explicit tag": "a: !!str abc\n",
    "leading blank line": "\n# c\na: 1\n",
    # trivia the round trip changes
    "whitespace-only line": "a: 1\n   \nb: 2\n",
    "tab before a comment": "a: 1\t# why\n",
    "comment on a document marker": "a: 1\n--- # two\nb: 2\n",
    "two blank lines before a document marker": "a: 1\n\n\n---\nb: 2\n",
    "blank line after a nested value before a marker": "a:\n  b: 1\n\n---\nc: 1\n",
    "comment before the first marker": "# c\n---\na: 1\n",
    "no newline after the last comment": "a: 1\n# end",
    "blank line before a commented flow item": "a:\n  - {x: 1}\n\n  - {x: 2}  # c\n",
    "comment line before a commented flow item": "a:\n  - [1]\n  # d\n  - [2]  # c\n",
    "block scalar": "a: |\n  text\n",
    "escaped double quotes": 'a: "\\u00e9"\n',
    "quoted kind, keys out of order": "kind: 'Model'\napiVersion: regctl/v1\n",
    "crlf": "a: 1\r\nb: 2\r\n",
    "duplicate key": "a: 1\na: 2\n",
    "not a mapping": "- a\n- b\n",
    "empty file": "",
    "syntax error": "a: [\n",
}


def test_canonical_text_is_recognised_and_is_what_the_round_trip_writes() -> None:
    assert format_text(CANONICAL) == CANONICAL
    assert is_canonical(CANONICAL.encode())


# Comments and blank lines in places the round trip keeps them: canonical, decided fast.
WITH_TRIVIA = {
    "trailing blank line": "a: 1\n\n",
    "end-of-line comment": "a: 1  # why\n",
    "comment line inside": "a: 1\n# note\nb: 2\n",
    "indented comment under a key": "a:\n  # the b\n  b: 1\n",
    "comment after a list item": "a:\n  - id: p  # first\n    size: 1\n\n  - id: q\n",
    "blank line and comment before a marker": "a: 1\n\n# next\n---\nb: 2\n",
    "comment after an explicit start": "---\n# c\na: 1\n",
}


@pytest.mark.parametrize("text", WITH_TRIVIA.values(), ids=WITH_TRIVIA.keys())
def test_comments_the_round_trip_keeps_do_not_need_it(text: str) -> None:
    assert format_text(text) == text
    assert is_canonical(text.encode())


@pytest.mark.parametrize("text", NOT_FAST.values(), ids=NOT_FAST.keys())
def test_forms_outside_the_fast_path_are_left_to_the_round_trip(text: str) -> None:
    assert not is_canonical(text.encode())


def _samples() -> list[Path]:
    roots = [REPO / "registry", REPO / "src" / "regctl" / "scaffold", REPO / "tests" / "cases"]
    return [p for r in roots for p in sorted(r.rglob("*.y*ml")) if p.stat().st_size < 20_000]


def test_never_canonical_where_the_round_trip_would_change_the_file() -> None:
    checked = fast = 0
    for path in _samples():
        text = path.read_text(encoding="utf-8", errors="replace")
        for candidate in _variants(text):
            try:
                expected = format_text(candidate)
            except Exception:  # not YAML at all: nothing to compare
                continue
            checked += 1
            if is_canonical(candidate.encode()):
                fast += 1
                assert expected == candidate, f"{path}: fast check wrongly said canonical"
    assert checked > 50 and fast > 10


def _variants(text: str) -> list[str]:
    """The file, its canonical form, and that form with one line changed in common ways."""
    out = [text]
    try:
        canon = format_text(text)
    except Exception:
        return out
    out.append(canon)
    lines = canon.splitlines(keepends=True)
    for i in range(0, len(lines), max(1, len(lines) // 6)):
        for edit in (lambda s: " " + s, lambda s: s.replace(", ", ",", 1), lambda s: s.lower()):
            changed = list(lines)
            changed[i] = edit(changed[i])
            out.append("".join(changed))
        if i + 1 < len(lines):
            swapped = list(lines)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            out.append("".join(swapped))
    return out


def test_fmt_rewrites_only_files_that_need_it(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(CANONICAL)
    (tmp_path / "bad.yaml").write_text("kind: Model\napiVersion: regctl/v1\nid: x\nprovider: p\n")
    result = format_paths([tmp_path], check=False)
    assert result.changed == (tmp_path / "bad.yaml",)
    assert (tmp_path / "ok.yaml").read_text() == CANONICAL
    assert is_canonical((tmp_path / "bad.yaml").read_bytes())


SPELLINGS = {
    # written back as they are
    "word": True, "true": True, "false": True, "": True, "12": True, "-3": True,
    "1.5": True, "2.0e-06": True, "2024-05-13": True, "gpt-4o": True, "env:KEY": True,
    # spelled otherwise by the emitter (or left to the round trip)
    "True": False, "yes": False, "on": False, "~": False, "null": False, "0x1F": False,
    "1_000": False, "+5": False, ".5": False, "1e3": False, "=": False, "0o17": False,
    "2024-5-13": False, "!!str x": False, "&a x": False,
}  # fmt: skip


@pytest.mark.parametrize(("spelling", "fast"), SPELLINGS.items(), ids=list(SPELLINGS))
def test_plain_scalar_spellings_agree_with_the_round_trip(spelling: str, fast: bool) -> None:
    # The check reads scalars without resolving their tags: a plain scalar counts as
    # canonical only when the round trip keeps its text.
    text = f"a: {spelling}\n" if spelling else "a:\n"
    assert is_canonical(text.encode()) is fast
    if fast:
        assert format_text(text) == text


def test_random_comments_and_blank_lines_never_fool_the_fast_check() -> None:
    # Comments and blank lines dropped at random places (whole-line at any indentation,
    # end-of-line with spaces or a tab, runs of blank lines, whitespace-only lines) into
    # canonical files: whenever the fast check says canonical, the round trip must agree.
    import random

    rng = random.Random(12)
    trivia = ["\n", "\n\n", "\n\n\n", "# c\n", "  # c\n", "      # c d\n", "   \n", "#\n"]
    eol = ["  # c", " # c", "\t# c", " #", "  # 'q' \"d\""]
    checked = fast = 0
    for path in _samples():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            canon = format_text(text)
        except Exception:
            continue
        if not is_canonical(canon.encode()):
            continue
        lines = canon.splitlines(keepends=True)
        for _ in range(12):
            changed = list(lines)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(changed) + 1)
                if rng.random() < 0.5 or i == len(changed):
                    changed.insert(i, rng.choice(trivia))
                elif changed[i].strip():
                    changed[i] = changed[i].rstrip("\n") + rng.choice(eol) + "\n"
            candidate = "".join(changed)
            checked += 1
            if is_canonical(candidate.encode()):
                fast += 1
                assert format_text(candidate) == candidate, candidate
    assert checked > 200 and fast > checked // 4, (checked, fast)


def test_the_emitters_text_is_the_round_trips_for_files_it_fully_describes() -> None:
    # fmt writes the emitter's text without the round trip when a file has no comments,
    # blank lines or other forms the emitter does not describe: the round trip must give
    # the same bytes. Real files, each with random edits that fmt has to undo.
    import random

    from regctl.authoring.fmtcheck import canonical_form

    rng = random.Random(5)
    checked = rewritten = 0
    for path in _samples():
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines(keepends=True)
        variants = [text, text.replace("\n", "\r\n"), "\ufeff" + text, text + "...\n"]
        for _ in range(10):
            changed = list(lines)
            if len(changed) < 3:
                break
            i = rng.randrange(len(changed) - 1)
            op = rng.randrange(5)
            if op == 0:
                changed[i], changed[i + 1] = changed[i + 1], changed[i]  # key order
            elif op == 1:
                changed[i] = changed[i].replace(", ", ",", 1)  # flow spacing
            elif op == 2:
                changed[i] = changed[i].replace("  ", "    ", 1)  # indentation
            elif op == 3:
                changed[i] = changed[i].replace("[", "[ ", 1)
            else:
                changed[i] = changed[i].replace(": ", ":   ", 1)
            variants.append("".join(changed))
            variants.append("# header\n# more\n\n" + "".join(changed).split("\n", 1)[-1])
        for candidate in variants:
            form = canonical_form(candidate.encode())
            if form is None:
                continue
            try:
                expected = format_text(candidate)
            except Exception as exc:  # not YAML the round trip reads: the emitter must not claim it
                raise AssertionError(f"{path}: fast form for text the round trip rejects") from exc
            checked += 1
            rewritten += form != candidate
            assert form == expected, f"{path}: emitter and round trip disagree"
    assert checked > 100 and rewritten > 30, (checked, rewritten)
