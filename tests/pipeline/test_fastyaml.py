"""The fast YAML reader against the libyaml path it stands in front of.

For every file it reads, :mod:`regctl.pipeline.fastyaml` must give the documents the
libyaml path gives: the same values with the same types (``yaml.safe_load``'s YAML 1.1
reading), the same document positions, and the same position of every mapping, key,
value, sequence and item (positions are found lazily through the collections'
numbering, so a numbering slip shows here). Whatever it declines, libyaml reads. Held on
every YAML file of the repository, the models.dev corpus as imported, generated
registries (plain, formatted with comments), and hypothesis-built documents full of
YAML 1.1's traps.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fleet import modelsdev_registry  # noqa: F401

from regctl.pipeline import fastyaml, source
from regctl.pipeline.positions import Origin, PosDict, PosList

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from gen_registry import generate  # type: ignore[import-not-found]  # noqa: E402


def test_resolver_table_is_pyyaml_s() -> None:
    """The implicit types, their patterns, first characters and order are PyYAML's."""
    ours: dict[str, list[tuple[str, str]]] = {}
    for tag, pattern, first in fastyaml.IMPLICIT:
        for ch in first:
            ours.setdefault(ch if ch != "\0" else "", []).append(
                ("tag:yaml.org,2002:" + tag, fastyaml.re.compile(pattern, fastyaml.re.X).pattern)
            )
    theirs = {
        (ch or ""): [(tag, rx.pattern) for tag, rx in resolvers]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    assert ours == theirs


def shape(value: Any) -> Any:
    """The value with its type and, for collections, every position inside it."""
    if isinstance(value, PosDict):
        return (
            "map",
            str(value.pos),
            [(k, str(value.key_pos[k]), str(value.val_pos[k]), shape(v)) for k, v in value.items()],
        )
    if isinstance(value, PosList):
        return ("seq", str(value.pos), [(str(p), shape(v)) for p, v in zip(value.item_pos, value)])
    assert not isinstance(value, (dict, list)), type(value)
    return (type(value).__name__, value)


def both(raw: bytes, name: str = "f.yaml") -> tuple[Any, Any]:
    """(fast documents or None, libyaml documents or the problem) for one file."""
    text = raw.decode("utf-8")
    fast = fastyaml.parse(text, Origin(name, raw, source.collection_nodes), name)
    try:
        slow: Any = source.parse_documents_libyaml(raw, name)
    except source._Abort as abort:
        slow = abort.problem
    return fast, slow


def hold(raw: bytes, name: str = "f.yaml") -> bool:
    """Hold the fast reader to libyaml on one file; True when it read the file itself."""
    fast, slow = both(raw, name)
    if fast is None:
        return False
    assert isinstance(slow, list), f"fast reader accepted what libyaml refuses: {slow}"
    assert [str(pos) for _, pos in fast] == [str(d.pos) for d in slow]
    assert [shape(v) for v, _ in fast] == [shape(d.data) for d in slow]
    # and the values are yaml.safe_load's (with libyaml's parser, as regctl reads)
    assert [v for v, _ in fast] == list(yaml.load_all(raw, Loader=yaml.CSafeLoader))
    return True


def hold_tree(root: Path) -> tuple[int, int]:
    read = total = 0
    for path in sorted(root.rglob("*.y*ml")):
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        total += 1
        read += hold(raw, str(path))
    return read, total


def test_repository_files() -> None:
    read, total = 0, 0
    for part in ("registry", "tests", "conformance", ".github", "docs"):
        r, t = hold_tree(ROOT / part)
        read, total = read + r, total + t
    assert total > 140 and read > total // 2, (read, total)


def test_generated_registries(tmp_path: Path, cli: Any) -> None:
    generate(tmp_path / "r", 5, 600, seed=3, envs=2)
    assert hold_tree(tmp_path / "r") == (8, 8)
    # formatted by `regctl fmt`, then with comments and blank lines around every model
    cli("fmt", str(tmp_path / "r"))
    for path in (tmp_path / "r").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("\n  - id:", "\n\n  # the next model\n  - id:")
        text = text.replace("\n    released: ", "  # end of line\n    released: ")
        path.write_text(text, encoding="utf-8")
    read, total = hold_tree(tmp_path / "r")
    assert read == total == 8


def test_modelsdev_corpus(modelsdev_registry: Path) -> None:  # noqa: F811
    read, total = hold_tree(modelsdev_registry)
    assert total > 100
    assert read == total, f"{total - read} imported files left to libyaml"


# ---- hypothesis: documents built from YAML 1.1's awkward corners

_PLAIN = [
    "x", "chat", "yes", "No", "ON", "off", "y", "n", "true", "False", "~", "null", "NULL",
    "0", "-0", "+1", "12", "012", "0x1F", "0b11", "1_000", "1e5", "1.5e+5", "1.5e5", "1.",
    ".5", "-1.25", "1:20", "1:20.5", ".inf", "-.inf", ".nan", "2024-01-05", "2024-13-01",
    "2024-02-30", "2024-1-5", "2024-01-05 10:00:00", "2024-01-05T10:00:00Z", "<<", "=",
    "!", "&", "*", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "1e400", "99999999999999999999", "a#b", "a #b", "a: b", "a:b", "http://x.example/a",
    "env:KEY", "-x", "-", "?x", ":x", "@x", "`x`", "%x", "!x", "&a", "*a", "|", ">",
    "é", "پ", "a\u2028b", "a\x85b", "a\tb", "\ufeff", "a  b", "x,y", "[a", "a]", "{a",
    "1.0", "0.0", "-0.0", "3.12", "1024",
    # prices and dates, which the reader decides before trying the table
    "00.5", "12.50", "0.000", "1" * 330 + ".5", "0000-01-01", "9999-12-31", "2023-02-29",
]  # fmt: skip
_QUOTED = ['"x"', "'x'", '"yes"', "'it''s'", '"a\\"b"', '"a\\nb"', '""', "''", '"1"',
           "'2024-01-05'", '"a #b"', '"a: b"']  # fmt: skip
_BENIGN = ["x", "chat", "true", "false", "~", "12", "1.5", "2024-01-05", "a b", "env:K",
           '"q r"', "'s'", "null", "0", "-1", "1.0", "https://x.example/v1", "é"]  # fmt: skip
# mostly what registries hold (so most documents are read by the fast reader), often a trap
_scalar = st.one_of(
    st.sampled_from(_BENIGN), st.sampled_from(_BENIGN), st.sampled_from(_BENIGN),
    st.sampled_from(_PLAIN), st.sampled_from(_QUOTED),
)  # fmt: skip
_key = st.one_of(
    st.sampled_from(["id", "a", "b", "c", "d", "e", "f", "g", "pt-BR", "x.y", "x/y"]),
    st.sampled_from(["-k", "1", "yes", "~", "<<", "a b", '"q"', "'s'", '"a: b"']),
)


def _flow(items: list[str], pairs: list[tuple[str, str]], mapping: bool) -> str:
    if mapping:
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    return "[" + ", ".join(items) + "]"


_value = st.one_of(
    _scalar,
    st.builds(_flow, st.lists(_scalar, max_size=3), st.just([]), st.just(False)),
    st.builds(_flow, st.just([]), st.lists(st.tuples(_key, _scalar), max_size=3), st.just(True)),
    st.sampled_from(
        [
            "",
            "# c",
            "&a x",
            "*a",
            "!!str x",
            "|\n  text",
            "[a,]",
            "{a}",
            "{a:b}",
            "{a: [b, {c: d}]}",
            "[[a], {b: c}]",
            "[]",
            "{}",
            "['a', \"b\"]",
        ]
    ),
)


@st.composite
def _document(draw: Any) -> str:
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        pad = " " * indent
        used: set[str] = set()
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["kv", "kv", "nest", "seq", "comment", "blank", "text"]))
            key = draw(_key)
            if key in used and key.isidentifier():
                key += str(len(used))  # mostly distinct keys: a duplicate is one trap among many
            used.add(key)
            if kind == "kv":
                lines.append(f"{pad}{key}: {draw(_value)}".rstrip())
            elif kind == "text":  # a literal block scalar, as prompt templates are written
                lines.append(
                    f"{pad}{key}: {draw(st.sampled_from(['|', '|-', '|+', '>', '| # c']))}"
                )
                inner = pad + " " * draw(st.sampled_from([0, 1, 2, 4]))
                for _ in range(draw(st.integers(0, 4))):
                    extra = " " * draw(st.sampled_from([0, 0, 1, 3]))
                    text = draw(st.sampled_from(["Hello {{ name }},", "# not a comment", "",
                                                 "a: b", "- x", "  ", "end  "]))  # fmt: skip
                    lines.append(f"{inner}{extra}{text}" if text else "")
            elif kind == "comment":
                lines.append(pad + "# note")
            elif kind == "blank":
                lines.append("")
            elif kind == "nest" and depth < 3:
                lines.append(f"{pad}{key}:")
                block(indent + draw(st.sampled_from([1, 2, 4])), depth + 1)
            elif kind == "seq" and depth < 3:
                lines.append(f"{pad}{key}:")
                dash = pad + " " * draw(st.sampled_from([0, 2]))
                for _ in range(draw(st.integers(1, 3))):
                    if draw(st.booleans()):
                        lines.append(f"{dash}- {draw(_value)}".rstrip())
                    else:
                        lines.append(f"{dash}- {draw(_key)}: {draw(_value)}".rstrip())
                        lines.append(f"{dash}  {draw(_key)}: {draw(_value)}".rstrip())
            else:
                lines.append(f"{pad}{key}: x")
            if draw(st.integers(0, 20)) == 0:
                lines.append(draw(st.sampled_from(["---", "  odd: indent", "...", "%YAML 1.1"])))

    block(0, 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_generated_documents(text: str) -> None:
    hold(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, 'y', \"z\"]\nc: {k: v, n: 2}\n",
        "---\na: 1\n---\nb: 2\n",
        "# head\n---\na: 1\n",
        "a:\n- x\n- y\nb:\n  - k: v\n    n: 1\n  - z\n",
        "a: 'it''s'  # comment\nb: \"#x\"\n",
        "a: |\n  line 1\n\n    indented\n  # kept\nb: |-\n  x\n\n\nc: 1\n",
    ],
)
def test_read_by_the_fast_reader(text: str) -> None:
    assert hold(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: >\n  text\n",
        "a: |\n  text",
        "a: 1\na: 2\n",
        "a: x\n  continued\n",
        "a:\tx\n",
        "a: 0x1F\n",
        "a: 2024-01-05 10:00:00\n",
        "yes: 1\n",
        "a: [x,\n  y]\n",
        'a: "\\u00e9"\n',
        "- - x\n",
        "a: [x}]\n",
        "a: {k: v]}\n",
        "a: {k: v}}\n",
        "a: [x]]\n",
        "a: 1\r\n",
        "\n",
    ],
)
def test_left_to_libyaml(text: str) -> None:
    assert not hold(text.encode("utf-8"))
