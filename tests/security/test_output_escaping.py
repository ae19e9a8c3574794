"""Class 6: control characters from YAML cannot start workflow commands or repaint a terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from regctl.base.textsafe import BIDI, INVISIBLE, escape_control, safe_line
from regctl.deploy.plan import MISSING, Change, FieldChange, Plan
from regctl.deploy.render import render_json, render_markdown, render_text
from regctl.messages import reporters
from regctl.messages.problems import Location, Problem
from regctl.pipeline.validate import validate

HOSTILE = [
    "x\n::error file=a,line=1::pwned",
    "x\r::add-mask::secret",
    "\n::stop-commands::tok",
    "x\x1b[2J\x1b[Hcleared",
    "x\x9b31mred",
    "x\u2028::warning::y",
    "x\x00\x07\x7f",
    # Bidi controls and invisible characters: https://api.openai.com/v1 on screen.
    "https://evil.example/\u202e1v/moc.iapnepo.ipa//:sptth",
    "\u2066gpt-4o\u2069\u200b\u2060\ufeff\u00ad\U000e0041",
]
_BAD = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}{INVISIBLE}]")


def _assert_safe(output: str, commands: bool = False) -> None:
    """No control character; no line that starts a command (unless it is ours: ``commands``)."""
    assert not _BAD.search(output), repr(output)
    for line in output.split("\n") if not commands else ():
        assert not line.lstrip().startswith(
            ("::error", "::add-mask", "::stop-commands", "::warning")
        ), line


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_control_leaves_no_control_character(text: str) -> None:
    out = safe_line(text)
    assert "\n" not in out and "\r" not in out
    _assert_safe(out)
    assert escape_control("plain ünïcode") == "plain ünïcode"


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_reporters_escape_messages_and_paths(text: str, fmt: str) -> None:
    problems = [
        Problem("schema", f"unknown value {text}", Location(f"reg/{text}.yaml", 3, 4)),
        Problem("schema", "m", Location("::error::x.yaml", 1, 1)),
    ]
    out = reporters.REPORTERS[fmt](problems)
    _assert_safe(out, commands=fmt == "github")
    if fmt == "github":
        assert out.count("\n") == 2 and all(
            line.startswith(("::error ", "::warning ")) for line in out.splitlines()
        )
    if fmt == "json":
        assert json.loads(out)["problems"][0]["message"] == f"unknown value {text}"


def test_validate_real_registry_with_hostile_keys(registry: Path) -> None:
    (registry / "providers" / "acme.yaml").write_text(
        (registry / "providers" / "acme.yaml").read_text()
        + 'labels: {"team\\n::add-mask::x": "ops"}\n'
        + '"evil\\r\\n::error file=x::pwned\\u001b[2J": 1\n'
    )
    problems = validate(registry).problems
    assert problems
    _assert_safe(reporters.text(problems))
    github = reporters.github(problems)
    _assert_safe(github, commands=True)
    assert github.count("\n") == len(problems)


def test_plan_renderers_escape_ids_values_and_targets() -> None:
    evil = HOSTILE[0] + HOSTILE[3]
    plan = Plan(
        environment=evil,
        target=HOSTILE[2],
        target_location="file:/x",
        digest="sha256:" + "1" * 64,
        deployed_digest=None,
        deployed_fingerprint=None,
        changed=True,
        changes=[
            Change(
                "model",
                "create",
                f"acme/{evil}",
                (),
                MISSING,
                {"capabilities": [evil], "active": [evil]},
            ),
            Change("activation", "create", f"acme {evil}", (), MISSING, f"acme/{evil}"),
            Change("default", "update", evil, (), evil, HOSTILE[1]),
            Change("model", "update", f"acme/{evil}", (FieldChange(evil, HOSTILE[4], HOSTILE[5]),)),
            Change(
                "provider", "update", "acme", (FieldChange("base_url", HOSTILE[-1], HOSTILE[-2]),)
            ),
        ],
        drift=HOSTILE[1],
    )
    for out in (render_text(plan), render_text(plan, color=True), render_markdown(plan)):
        # Colours are ours (ESC[...m from click.style); strip them, then nothing may remain.
        _assert_safe(re.sub("\x1b\\[[0-9;]*m", "", out))
    shown = render_text(plan)
    assert "\\u202e1v/moc.iapnepo.ipa//:sptth" in shown and "\\u2066gpt-4o\\u2069\\u200b" in shown
    # JSON keeps the data exactly, as \\uXXXX escapes a viewer cannot reorder.
    data = render_json(plan)
    _assert_safe(data, commands=True)
    assert HOSTILE[-1] in json.dumps(json.loads(data), ensure_ascii=False)
