"""`regctl fmt`: canonical key order and indentation, comments kept, --check."""

from __future__ import annotations

from pathlib import Path

from regctl.authoring.fmt import format_text
from regctl.authoring.fmtcheck import format_paths

MESSY = """\
# OpenAI provider
kind: Provider
id: openai
apiVersion: regctl/v1
display_name: OpenAI  # shown in UIs
models:
- display_name: GPT-4o
  pricing: {output_per_mtok: 10, input_per_mtok: 2.5}
  capabilities: [chat]
  id: gpt-4o
  active: true   # the chat model
"""


def test_format_orders_keys_and_keeps_comments() -> None:
    out = format_text(MESSY)
    assert out == (
        "# OpenAI provider\n"
        "apiVersion: regctl/v1\n"
        "kind: Provider\n"
        "id: openai\n"
        "display_name: OpenAI  # shown in UIs\n"
        "models:\n"
        "  - id: gpt-4o\n"
        "    display_name: GPT-4o\n"
        "    capabilities: [chat]\n"
        "    active: true # the chat model\n"
        "    pricing: {input_per_mtok: 2.5, output_per_mtok: 10}\n"
    )
    assert format_text(out) == out


def test_multi_document_files_keep_their_separators() -> None:
    text = "id: dev\nkind: Environment\napiVersion: regctl/v1\n---\nkind: PromptTemplate\nid: t\n"
    out = format_text(text)
    assert (
        out
        == "apiVersion: regctl/v1\nkind: Environment\nid: dev\n---\nkind: PromptTemplate\nid: t\n"
    )


def test_check_lists_files_and_writes_nothing(tmp_path: Path) -> None:
    messy = tmp_path / "p.yaml"
    messy.write_text(MESSY)
    clean = tmp_path / "q.yaml"
    clean.write_text(format_text(MESSY))
    result = format_paths([tmp_path], check=True)
    assert result.changed == (messy,)
    assert messy.read_text() == MESSY
    result = format_paths([tmp_path], check=False)
    assert messy.read_text() == clean.read_text()
    assert format_paths([tmp_path], check=True).changed == ()


def test_cli_check_exits_1_and_names_the_file(tmp_path: Path, run_cli) -> None:
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "p.yaml").write_text(MESSY)
    (tmp_path / "registry" / "bad.yaml").write_text("a: [unclosed\n")
    r = run_cli("fmt", "--check", cwd=tmp_path)
    assert r.returncode == 1
    assert "would reformat registry/p.yaml" in r.stdout
    assert "registry/bad.yaml" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "registry" / "p.yaml").read_text() == MESSY


def test_scaffold_is_already_formatted(project: Path) -> None:
    assert format_paths([project / "registry"], check=True).changed == ()


def test_example_registry_and_scaffold_are_already_canonical(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLE, run_cli

    from regctl.authoring.init import init_project

    init_project(tmp_path)
    for folder in (EXAMPLE, tmp_path / "registry"):
        res = run_cli("fmt", "--check", str(folder))
        assert res.returncode == 0, res.stdout + res.stderr


def test_comment_lines_move_with_the_key_below_them() -> None:
    text = (
        "apiVersion: regctl/v1\n"
        "kind: Provider\n"
        "id: p\n"
        "display_name: P\n"
        "labels:\n"
        "  team: ai\n"
        "# which keys to try, in order\n"
        "credentials:\n"
        "  - env:A\n"
        "\n"
        "# call parameters\n"
        "defaults: {temperature: 0.2}\n"
        "# trailing note\n"
    )
    out = format_text(text)
    assert out == (
        "apiVersion: regctl/v1\n"
        "kind: Provider\n"
        "id: p\n"
        "display_name: P\n"
        "# which keys to try, in order\n"
        "credentials:\n"
        "  - env:A\n"
        "\n"
        "# call parameters\n"
        "defaults: {temperature: 0.2}\n"
        "labels:\n"
        "  team: ai\n"
        "# trailing note\n"
    )
    assert format_text(out) == out
