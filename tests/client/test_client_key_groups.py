"""``shared_key_groups``: which callers may use a provider's shared key (the equivalent of
the Django seeds' ``use_shared_api_key`` permission), from YAML to ``api_key(group=)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli

from regctl.client import NoCredentials, Registry
from regctl.pipeline.compile import compile_registry

REGISTRY = """\
apiVersion: regctl/v1
kind: Provider
id: openai
display_name: OpenAI
credentials: [env:RC_KG_OPENAI]
shared_key_groups: [staff, "user:carol"]
models:
  - {id: gpt-4o, display_name: GPT-4o, capabilities: [chat], active: true}
---
apiVersion: regctl/v1
kind: Provider
id: nobody
display_name: Shares with no group
credentials: [env:RC_KG_OPENAI]
shared_key_groups: []
---
apiVersion: regctl/v1
kind: Provider
id: everyone
display_name: Shares with every caller
credentials: [env:RC_KG_OPENAI]
"""


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "registry.yaml").write_text(REGISTRY)
    compiled = compile_registry(tmp_path / "reg")
    assert compiled.problems == [] and compiled.text is not None
    lock = tmp_path / "lock.json"
    lock.write_text(compiled.text)
    monkeypatch.setenv("RC_KG_OPENAI", "sk-shared-value-0123456789")
    return Registry.load(lock)


# provider, personal key, group(s) -> source of the key, or None (refused)
CASES: list[tuple[str, str | None, Any, str | None]] = [
    ("openai", None, "staff", "env:RC_KG_OPENAI"),
    ("openai", None, ["support", "user:carol"], "env:RC_KG_OPENAI"),
    ("openai", None, ("support",), None),
    ("openai", None, None, None),
    ("openai", None, "Staff", None),  # names compare exactly, as Django's do
    ("openai", "sk-own", None, "personal"),  # a personal key needs no group
    ("openai", "sk-own", "support", "personal"),
    ("nobody", None, "staff", None),
    ("nobody", "sk-own", None, "personal"),
    ("everyone", None, None, "env:RC_KG_OPENAI"),
    ("everyone", None, "anything", "env:RC_KG_OPENAI"),
]


@pytest.mark.parametrize(("provider", "personal", "group", "source"), CASES)
def test_shared_key_only_for_listed_groups(
    reg: Registry, provider: str, personal: str | None, group: Any, source: str | None
) -> None:
    p = reg.provider(provider)
    if source is None:
        with pytest.raises(NoCredentials) as err:
            p.api_key(personal, group=group)
        assert "sk-shared" not in str(err.value)
        if provider == "openai":
            assert "shares its key only with groups 'staff', 'user:carol'" in str(err.value)
    else:
        assert p.api_key(personal, group=group).source == source


def test_resolved_passes_the_group_on(reg: Registry) -> None:
    r = reg.resolve("chat", provider="openai")
    assert r.api_key(group="staff").get_secret_value() == "sk-shared-value-0123456789"
    with pytest.raises(NoCredentials):
        r.api_key(group="support")
    assert r.openai_kwargs(group="staff")["api_key"] == "sk-shared-value-0123456789"
    assert reg.provider("openai").shared_key_groups == ("staff", "user:carol")
    assert reg.provider("everyone").shared_key_groups is None


def test_doctor_checks_as_the_callers_group(reg: Registry) -> None:
    lock = str(reg.source)
    env = {"RC_KG_OPENAI": "sk-shared-value-0123456789"}
    # As a caller in "staff": the chain shared with staff resolves; "nobody" is a policy.
    proc = run_cli("doctor", "--manifest", lock, "--group", "staff", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✓  openai: env:RC_KG_OPENAI" in proc.stdout.splitlines()  # a line per reference
    assert "-  nobody: provider 'nobody' shares its key only with groups none" in proc.stdout
    # A caller outside the groups: skipped, not a failure; the group as typed is escaped.
    proc = run_cli("doctor", "--manifest", lock, "--group", "sup\x1b[2Jport", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "-  openai: provider 'openai' shares its key only with groups 'staff', " in proc.stdout
    assert "(caller's groups: 'sup\\x1b[2Jport')" in proc.stdout
    assert "\x1b" not in proc.stdout and "sk-shared" not in proc.stdout + proc.stderr
    # A personal key needs no group; without --group each chain is checked as a listed
    # group would use it.
    proc = run_cli("doctor", "--manifest", lock, "--personal", "openai", env=env)
    assert "✓  openai: key from personal" in proc.stdout
    assert "-  nobody: personal key required (shared_key_groups: [])" in proc.stdout
    proc = run_cli("doctor", "--manifest", lock, "--format", "json", env=env)
    rows = {r["provider"]: r for r in json.loads(proc.stdout)["providers"]}
    assert rows["openai"]["source"] == "env:RC_KG_OPENAI"
    assert rows["everyone"]["source"] == "env:RC_KG_OPENAI"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            "allow_shared_credentials: false\nshared_key_groups: [staff]",
            "needs allow_shared_credentials: true",
        ),
        ("shared_key_groups: staff", "list"),
        ('shared_key_groups: ["bad\\u0007name"]', "pattern"),
    ],
)
def test_invalid_policies_are_schema_errors(
    tmp_path: Path, cli: Any, fields: str, message: str
) -> None:
    (tmp_path / "registry.yaml").write_text(
        "apiVersion: regctl/v1\nkind: Provider\nid: p\ndisplay_name: P\n"
        f"credentials: [env:X]\n{fields}\n"
    )
    proc = cli("validate", str(tmp_path))
    assert proc.returncode == 1
    assert "[schema]" in proc.stdout and message in proc.stdout, proc.stdout
