"""The loader: positions, YAML 1.1 scalars as PyYAML reads them, and every bad-input guard."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLE, write_tree

from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.source import MAX_FILE_BYTES, load_registry

TRICKY = """\
a: yes
b: No
c: on
d: ~
e: null
f: 0x1F
g: 1_000
j: 2024-05-13
k: 2024-05-13T10:20:30Z
l: 1e3
m: +12
n: 0o17
o: 012
p: 1:20
q: "quoted: yes"
r: 'single'
s: |
  block
  text
t: [1, 2.5, true, null, x]
u: {nested: {deep: [a, {b: c}]}}
v: 3.0
w: ""
x: !!str 123
"""


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_scalars_match_pyyaml_safe_load(tmp_path: Path) -> None:
    write_tree(tmp_path, {"t.yaml": TRICKY})
    result = load_registry(tmp_path)
    assert result.problems == []
    ours = _plain(result.documents[0].data)
    theirs = yaml.safe_load(TRICKY)
    assert ours == theirs
    assert [type(v) for v in ours.values()] == [type(v) for v in theirs.values()]  # type: ignore[union-attr]


def test_example_registry_matches_pyyaml() -> None:
    result = load_registry(EXAMPLE)
    assert result.problems == []
    by_file: dict[str, list[object]] = {}
    for doc in result.documents:
        by_file.setdefault(doc.file, []).append(_plain(doc.data))
    for f in result.files:
        theirs = list(yaml.safe_load_all(Path(EXAMPLE, f.rel).read_text()))
        assert by_file.get(f.path, []) == [d for d in theirs if d is not None]


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)  # registry numbers are 64-bit
        | st.text(max_size=20)
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=10), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_roundtrip_property(value: object) -> None:
    """Whatever PyYAML dumps, we read back exactly as PyYAML's safe loader does."""
    import tempfile

    text = yaml.safe_dump({"root": value}, allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "x.yaml").write_text(text, encoding="utf-8")
        result = load_registry(tmp)
    assert result.problems == []
    assert _plain(result.documents[0].data) == yaml.safe_load(text)


def test_positions_are_one_based_line_and_column(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.yaml": "top:\n  key: value\n  list:\n    - first\n    - {x: 1}\n"})
    data = load_registry(tmp_path).documents[0].data
    assert isinstance(data, PosDict)
    top = data["top"]
    assert (top.key_pos["key"].line, top.key_pos["key"].col) == (2, 3)
    assert (top.val_pos["key"].line, top.val_pos["key"].col) == (2, 8)
    items = top["list"]
    assert isinstance(items, PosList)
    assert [(p.line, p.col) for p in items.item_pos] == [(4, 7), (5, 7)]


def test_merge_keys_are_supported_with_positions(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.yaml": "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n"})
    data = load_registry(tmp_path).documents[0].data
    assert dict(data["child"]) == {"x": 1, "y": 3}
    assert data["child"].key_pos["x"].line == 1  # where x was written
    assert data["child"].key_pos["y"].line == 4


@pytest.mark.parametrize(
    ("text", "rule", "line", "words"),
    [
        ("a: 1\nb: [\n", "yaml-syntax", 3, "flow node"),
        ("a:\n\t- b\n", "yaml-syntax", 2, "tab"),
        ("a: 1\na: 2\n", "duplicate-key", 2, "duplicate key 'a'"),
        ("on: 1\n", "schema", 1, "not a string"),
        ("? [a]\n: 1\n", "schema", 1, "not a string"),
        ("a: &x [*x]\n", "yaml-alias", 1, "recursive"),
        ("a: !custom 1\n", "yaml-syntax", 1, "unsupported YAML tag"),
    ],
)
def test_bad_yaml_is_a_problem_with_place(
    tmp_path: Path, text: str, rule: str, line: int, words: str
) -> None:
    write_tree(tmp_path, {"bad.yaml": text})
    problems = load_registry(tmp_path).problems
    assert [(p.rule, p.location.line) for p in problems] == [(rule, line)]
    assert words in problems[0].message


def test_not_utf8_and_binary(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("a: 1\nname: caf\xe9\n".encode("latin-1"))
    (tmp_path / "bin.yml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    problems = {p.location.file.rsplit("/", 1)[-1]: p for p in load_registry(tmp_path).problems}
    assert problems["latin1.yaml"].location.line == 2
    assert problems["latin1.yaml"].location.col == 10
    assert "UTF-8" in problems["latin1.yaml"].message
    assert "binary" in problems["bin.yml"].message


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # 50 MB, sparse: the loader must refuse before reading
        fh.truncate(50 * 1024 * 1024)
    problems = load_registry(tmp_path).problems
    assert len(problems) == 1
    assert "over the" in problems[0].message and problems[0].rule == "yaml-syntax"
    assert big.stat().st_size > MAX_FILE_BYTES


def test_billion_laughs_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    write_tree(tmp_path, {"bomb.yaml": "\n".join(levels) + "\n"})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    problems = load_registry(tmp_path).problems
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [p.rule for p in problems] == ["yaml-alias"]
    # 10^9 expanded strings would need tens of GB; the bound stops it immediately.
    assert elapsed < 5 and grown_mb < 100


def test_missing_and_empty_folder(tmp_path: Path) -> None:
    missing = load_registry(tmp_path / "nope").problems
    assert "not found" in missing[0].message
    empty = load_registry(tmp_path).problems
    assert "no *.yaml" in empty[0].message


def test_hidden_folders_and_other_files_are_skipped(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/x.yaml": "a: [",
            ".pre-commit-config.yaml": "repos: [",  # tool configuration, not a document
            "notes.txt": "x",
            "ok.yml": "a: 1\n",
            "sub/ok.yaml": "b: 2\n",
        },
    )
    result = load_registry(tmp_path)
    assert result.problems == []
    assert sorted(f.rel for f in result.files) == ["ok.yml", "sub/ok.yaml"]
