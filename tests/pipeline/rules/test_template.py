"""The ``template`` rule through the real validator: file and line of each problem."""

from __future__ import annotations

from pathlib import Path

from regctl.authoring.init import init_project
from regctl.messages.problems import Severity
from regctl.pipeline.rules import documentation
from regctl.pipeline.validate import validate


def _problems(root: Path) -> list[tuple[str, str, str, int]]:
    return [
        (p.rule, p.severity.value, Path(p.location.file).name, p.location.line)
        for p in validate(root).problems
    ]


def test_scaffold_template_is_clean(tmp_path: Path) -> None:
    init_project(tmp_path)
    assert _problems(tmp_path / "registry") == []


def test_problems_point_into_the_template_file(tmp_path: Path) -> None:
    init_project(tmp_path)
    prompt = tmp_path / "registry/prompts/summarize.yaml"
    text = prompt.read_text()
    # line 15 is "system: |"; its content is on line 16
    text = text.replace("for {{ audience }}.", "for {{ audiense }}.")
    text = text.replace("capability: chat", "model: openai/gpt-4o-maxi")
    prompt.write_text(text)
    got = _problems(tmp_path / "registry")
    lines = text.splitlines()
    model_line = next(i for i, line in enumerate(lines, 1) if line.startswith("model:"))
    use_line = next(i for i, line in enumerate(lines, 1) if "audiense" in line)
    audience_line = next(i for i, line in enumerate(lines, 1) if line == "  audience:")
    assert sorted(got) == sorted(
        [
            ("unknown-reference", "error", "summarize.yaml", model_line),
            ("template", "error", "summarize.yaml", use_line),
            ("template", "warning", "summarize.yaml", audience_line),
        ]
    )
    report = validate(tmp_path / "registry")
    assert not report.ok
    warning = next(p for p in report.problems if p.severity is Severity.WARNING)
    assert "declares variable 'audience' but never uses it" in warning.message


def test_rule_is_documented() -> None:
    doc = documentation()["template"]
    assert "Jinja2" in doc and "StrictUndefined" in doc
