"""Class 5: secrets in URLs, keys and known formats are problems, and never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from regctl.base.redact import redact
from regctl.deploy.plan import Change, Plan
from regctl.deploy.render import render_json, render_markdown, render_text
from regctl.interop.report import ImportReport
from regctl.messages import reporters
from regctl.pipeline.validate import validate

AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SECRETS = {
    "aws-id": "AKIAIOSFODNN7EXAMPLE",
    "aws-secret": AWS_EXAMPLE_SECRET,
    "azure": "0123456789abcdef0123456789abcdef",
    "hex64": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "slack-bot": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack-user": "xoxp-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "gitlab": "glpat-xxxxxxxxxxxxxxxxxxxx",
}
URLS = {
    "userinfo": ("https://ci:hunter2pw@api.example.com/v1", "hunter2pw"),
    "api_key": ("https://api.example.com/v1?api_key=s3cr3tvalue", "s3cr3tvalue"),
    "access_token": ("https://api.example.com/v1?x=1&access_token=s3cr3tvalue", "s3cr3tvalue"),
    "key": ("https://generativelanguage.example.com/v1?key=s3cr3tvalue", "s3cr3tvalue"),
}
PROVIDER = (Path(__file__).parent.parent / "cases/valid/minimal/providers/beta.yaml").read_text()


def _with(registry: Path, text: str) -> list:
    (registry / "providers" / "beta.yaml").write_text(text)
    return [p for p in validate(registry).problems if p.rule == "plaintext-secret"]


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_known_formats_are_found_in_values_and_keys_and_not_repeated(
    registry: Path, name: str
) -> None:
    secret = SECRETS[name]
    found = _with(registry, PROVIDER + f'labels: {{note: "{secret}"}}\n')
    assert [p.location.line for p in found] == [13], found
    as_key = _with(registry, PROVIDER + f'labels: {{"{secret}": x}}\n')
    assert [p.location.line for p in as_key] == [13], as_key
    for fmt in ("text", "json", "github"):
        assert secret not in reporters.REPORTERS[fmt](found + as_key)


@pytest.mark.parametrize("name", sorted(URLS))
def test_credentials_in_base_url_are_found_and_redacted(registry: Path, name: str) -> None:
    url, secret = URLS[name]
    text = PROVIDER.replace("https://beta.example.com/v1", url)
    found = _with(registry, text)
    assert [p.location.line for p in found] == [6]
    assert "URL" in found[0].message
    assert secret not in reporters.text(found)
    assert secret not in redact(f"error: cannot reach {url}")


def test_credentials_in_target_urls_are_problems(registry: Path) -> None:
    reg = (registry / "registry.yaml").read_text()
    (registry / "registry.yaml").write_text(
        reg + "targets:\n  prod: https://deploy.example.com/m.json?token=s3cr3tvalue\n"
    )
    problems = [p for p in validate(registry).problems if p.rule == "plaintext-secret"]
    assert problems and all("s3cr3tvalue" not in p.message for p in problems)


def test_plan_formats_and_import_report_redact() -> None:
    url, secret = URLS["api_key"]
    plan = Plan(
        environment="prod",
        target=URLS["userinfo"][0],
        target_location="x",
        digest="sha256:" + "1" * 64,
        deployed_digest=None,
        deployed_fingerprint=None,
        changed=True,
        changes=[
            Change("provider", "update", "beta", (), {"base_url": "a"}, {"base_url": url}),
            Change("default", "update", "chat", (), AWS_EXAMPLE_SECRET, url),
        ],
    )
    for out in (render_text(plan), render_json(plan), render_markdown(plan)):
        assert secret not in out and "hunter2pw" not in out and AWS_EXAMPLE_SECRET not in out
    report = ImportReport(source=url)
    report.skip(f"providers/{SECRETS['slack-bot']}", "bad-url", url)
    text = report.render(verbose=True)
    data = str(report.as_dict())
    for s in (secret, SECRETS["slack-bot"]):
        assert s not in text and s not in data


def test_digests_and_model_ids_are_not_secrets(registry: Path) -> None:
    text = PROVIDER + (
        "labels:\n  digest: sha256:"
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
        "  upstream: meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8\n"
        "  bedrock: anthropic.claude-3-5-sonnet-20240620-v1:0\n"
        "  uuid: 123e4567-e89b-12d3-a456-426614174000\n"
    )
    assert _with(registry, text) == []
