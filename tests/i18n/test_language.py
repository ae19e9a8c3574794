"""Language choice, translated text output, and what never changes with the language."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import ROOT, run_cli

from regctl.base import i18n
from regctl.cli import main

CASES = ROOT / "tests" / "cases" / "invalid"
PERSIAN = re.compile("[\u0600-\u06ff]")
PREFIX = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): ")


def _registry(case: str) -> Path:
    return CASES / case


def _env(**extra: str) -> dict[str, str]:
    return {"LANG": "", "REGCTL_LANG": "", "LC_ALL": "", **extra}


@pytest.mark.parametrize(
    ("cli", "regctl_lang", "lang", "expected"),
    [
        (None, None, "fa_IR.UTF-8", "fa"),
        (None, "fa", "en_US.UTF-8", "fa"),
        ("en", "fa", "fa_IR.UTF-8", "en"),
        ("fa", None, None, "fa"),
        (None, None, "C.UTF-8", "en"),
        (None, None, None, "en"),
        (None, "", "de_DE.UTF-8", "de"),
    ],
)
def test_language_comes_from_flag_then_regctl_lang_then_lang(
    monkeypatch: pytest.MonkeyPatch,
    cli: str | None,
    regctl_lang: str | None,
    lang: str | None,
    expected: str,
) -> None:
    for name, value in (("REGCTL_LANG", regctl_lang), ("LANG", lang)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert i18n.choose_language(cli) == expected


def test_msg_is_the_english_string_and_localizes_with_its_parts() -> None:
    hint = i18n.msg(" (did you mean '{match}'?)", match="chat")
    m = i18n.msg("unknown field '{field}' in {owner}{hint}", field="x", owner="o", hint=hint)
    assert m == "unknown field 'x' in o (did you mean 'chat'?)"
    try:
        i18n.set_language("fa")
        text = i18n.localize(m)
        assert "«x»" in text and "«chat»" in text and PERSIAN.search(text)
        assert i18n.localize("plain text") == "plain text"
    finally:
        i18n.set_language("en")
    assert i18n.localize(m) == str(m)


def test_lang_fa_validate_prints_persian_with_the_same_rule_ids() -> None:
    reg = _registry("active-capability")
    en = run_cli("validate", str(reg), env=_env(LANG="en_US.UTF-8"))
    fa = run_cli("validate", str(reg), env=_env(LANG="fa_IR.UTF-8"))
    assert en.returncode == fa.returncode == 1
    en_lines, fa_lines = en.stdout.splitlines(), fa.stdout.splitlines()
    assert len(en_lines) == len(fa_lines) >= 2
    assert "is active for 'vison'" in en.stdout and not PERSIAN.search(en.stdout)
    for e, f in zip(en_lines[:-1], fa_lines[:-1]):
        assert PREFIX.match(e).group(0) == PREFIX.match(f).group(0)  # type: ignore[union-attr]
        assert re.findall(r"\[([a-z-]+)\]", e) == re.findall(r"\[([a-z-]+)\]", f)
        assert PERSIAN.search(f), f
    assert "[active-capability]" in fa.stdout and "خطا" in fa.stdout
    assert fa_lines[-1].strip("\u2068\u2069") == "1 خطا، 0 هشدار"


def test_every_invalid_case_keeps_its_prefix_rule_and_json_in_persian() -> None:
    runner = CliRunner()

    def run(*args: str, lang: str) -> str:
        return runner.invoke(main, ["--lang", lang, "validate", *args]).output

    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for fmt in ("json", "github"):  # machine output never changes with the language
            en = run(str(case), "--format", fmt, lang="en")
            assert en == run(str(case), "--format", fmt, lang="fa"), (case.name, fmt)
        problems = json.loads(run(str(case), "--format", "json", lang="en"))["problems"]
        lines = run(str(case), lang="fa").splitlines()[:-1]
        assert len(lines) == len(problems), case.name
        for line, p in zip(lines, problems):
            m = PREFIX.match(line)
            assert m is not None, line
            assert (m["file"], int(m["line"]), int(m["col"])) == (p["file"], p["line"], p["col"])
            assert f"[{p['rule']}]" in line
            # the message itself is Persian too, not only the "error" label around it
            message = line.split(f"[{p['rule']}]", 1)[1]
            assert PERSIAN.search(message), (case.name, line)


def test_right_to_left_text_cannot_reorder_the_position_prefix() -> None:
    """Under the Unicode bidi algorithm (UAX #9) the paragraph direction comes from the
    first strong character, and an isolate (FSI ... PDI) keeps its content from
    affecting the text around it: the prefix stays left-to-right and in place."""
    text = run_cli("validate", str(_registry("duplicate-id-model")), env=_env(LANG="fa_IR.UTF-8"))
    for line in text.stdout.splitlines():
        rest = line.partition(" [")[2]
        first_strong = next(
            unicodedata.bidirectional(c) for c in line if unicodedata.bidirectional(c) in "LRAL"
        ) if PREFIX.match(line) else None  # fmt: skip
        if PREFIX.match(line):
            assert first_strong == "L", line
            message = rest.split("] ", 1)[1]
            assert message.startswith("\u2068") and message.endswith("\u2069"), line
            inner = message[1:-1]
            assert "\u2068" not in inner and "\u2069" not in inner
            assert PERSIAN.search(inner)
            # The file:line:col of a related place inside the message stays intact too.
            assert re.search(r"providers/acme\.yaml:\d+:\d+", inner), inner


def test_ascii_terminal_falls_back_to_english() -> None:
    done = run_cli(
        "validate",
        str(_registry("active-capability")),
        env=_env(LANG="fa_IR.UTF-8", PYTHONIOENCODING="ascii"),
    )
    assert done.returncode == 1
    assert "is active for 'vison'" in done.stdout
    assert "Traceback" not in done.stderr


def test_lang_flag_and_valid_registry_summary() -> None:
    done = run_cli("--lang", "fa", "validate", str(ROOT / "registry"), env=_env())
    assert done.returncode == 0, done.stderr
    assert "بدون مشکل" in done.stdout and "پرونده" in done.stdout
