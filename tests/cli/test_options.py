"""The shared CLI vocabulary: --registry (or positional), -o/--output, provider/model."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from regctl.base.errors import RegctlError, UsageError
from regctl.cli.options import registry_option, split_model_ref


@click.command()
@registry_option(positional=True)
def show_registry(registry: Path) -> None:
    click.echo(str(registry))


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(show_registry, args)
    if isinstance(result.exception, RegctlError):
        return result.exception.exit_code, str(result.exception)
    return result.exit_code, result.output.strip()


def test_positional_and_option_name_the_same_thing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "regs").mkdir()
    assert _run(["regs"], tmp_path, monkeypatch) == (0, "regs")
    assert _run(["--registry", "regs"], tmp_path, monkeypatch) == (0, "regs")
    code, message = _run(["a", "--registry", "b"], tmp_path, monkeypatch)
    assert code == 2 and "named twice" in message


@pytest.mark.parametrize("args", [["nope"], ["--registry", "nope"]])
def test_a_named_registry_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    assert _run(args, tmp_path, monkeypatch) == (2, "registry 'nope' not found")


def test_default_is_found_upward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "registry").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    assert _run([], tmp_path / "sub", monkeypatch) == (0, str(Path("..") / "registry"))


def test_no_registry_suggests_init_and_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()  # the search stops at the work tree's top
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as caught:
        CliRunner().invoke(show_registry, [], catch_exceptions=False)
    assert "no registry found" in str(caught.value)
    hint = str(caught.value.hint)
    assert "regctl init" in hint and "--registry" in hint


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("openai/gpt-4o",), ("openai", "gpt-4o")),
        (("openai", "gpt-4o"), ("openai", "gpt-4o")),
        (
            ("openrouter/anthropic/claude-3.5-sonnet",),
            ("openrouter", "anthropic/claude-3.5-sonnet"),
        ),
    ],
)
def test_split_model_ref(parts: tuple[str, ...], expected: tuple[str, str]) -> None:
    assert split_model_ref(parts) == expected


@pytest.mark.parametrize("parts", [(), ("openai",), ("/gpt-4o",), ("a", "b", "c")])
def test_split_model_ref_rejects(parts: tuple[str, ...]) -> None:
    with pytest.raises(UsageError, match="PROVIDER/MODEL"):
        split_model_ref(parts)
