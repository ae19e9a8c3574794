"""secret-scheme: known schemes, well-formed env names, and the stores' own syntax."""

from __future__ import annotations

import pytest
from tests.pipeline.rules.conftest import Check, read_base

from regctl.client import secrets
from regctl.client.secret_refs import BUILTIN_STORES
from regctl.pipeline.rules import secret_scheme

REG = read_base("registry.yaml")
BETA = read_base("providers/beta.yaml")
CREDS = "[env:BETA_API_KEY, file:/run/secrets/beta]"


def _with(*refs: str) -> dict[str, str]:
    listed = ", ".join(f'"{r}"' for r in refs)
    return {"providers/beta.yaml": BETA.replace(CREDS, f"[{listed}]")}


def test_undeclared_scheme_and_bad_env_name(check: Check) -> None:
    text = BETA.replace(CREDS, "[gcp-sm:beta, env:BETA-KEY]")
    got = check({"providers/beta.yaml": text}, rule="secret-scheme")
    assert sorted(p.location.col for p in got) == [15, 28]
    assert any("scheme 'gcp-sm' is not declared" in p.message for p in got)
    assert any("malformed environment variable name" in p.message for p in got)


def test_declared_plugin_scheme_is_accepted(check: Check) -> None:
    files = {
        "registry.yaml": REG + "secret_schemes: [gcp-sm]\n",
        "providers/beta.yaml": BETA.replace("file:/run/secrets/beta", "gcp-sm:beta/key"),
    }
    assert check(files) == []


def test_the_rule_and_the_client_know_the_same_built_in_schemes() -> None:
    assert set(secret_scheme.BUILTIN) == set(secrets.BUILTIN)
    assert set(secret_scheme.STORES) == set(BUILTIN_STORES)


GOOD = [
    "vault:secret/openai#api_key",
    "vault:secret/openai#api_key@3",
    "vault:kv/team/prod/openai#key",
    "vault:secret/openai#api.key-2",
    "aws-sm:prod/openai",
    "aws-sm:prod/openai#api_key",
    "aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openai-AbCdEf#api_key",
    "aws-sm:arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:openai",
]


def test_well_formed_store_references_need_no_declaration(check: Check) -> None:
    assert check(_with(*GOOD)) == []


BAD = [
    ("vault:secret/openai", "no #FIELD"),
    ("vault:secret#api_key", "no path after the mount"),
    ("vault:secret//openai#k", "empty, '.' or '..' path segment"),
    ("vault:secret/../sys#k", "empty, '.' or '..' path segment"),
    ("vault:secret/open?ai#k", "character '?' in the path"),
    ("vault:secret/openai#", "no #FIELD"),
    ("vault:secret/openai#k@latest", "positive whole number"),
    ("vault:secret/openai#k@0", "positive whole number"),
    ("vault:secret/openai#@3", "empty field name"),
    ("vault:secret/open ai#k", "space, control or bidi"),
    ("vault:secret/open\u202eai#k", "space, control or bidi"),
    ("aws-sm:prod/openai#", "empty field name"),
    ("aws-sm:prod openai", "space, control or bidi"),
    ("aws-sm:prod/open!ai", "1 to 512 letters"),
    ("aws-sm:arn:aws:s3:::bucket", "not a Secrets Manager ARN"),
    ("aws-sm:arn:aws:secretsmanager:evil.example:123456789012:secret:x", "not an AWS region"),
]


@pytest.mark.parametrize(("ref", "reason"), BAD, ids=[r for r, _ in BAD])
def test_malformed_store_reference_is_reported_where_it_is(
    check: Check, ref: str, reason: str
) -> None:
    got = check(_with("env:BETA_API_KEY", ref), rule="secret-scheme")
    assert len(got) == 1, [p.message for p in got]
    problem = got[0]
    scheme = ref.partition(":")[0]
    assert f"malformed '{scheme}:' reference" in problem.message
    assert reason in problem.message
    assert BUILTIN_STORES[scheme] in problem.message  # says what to write instead
    assert problem.location.file.endswith("providers/beta.yaml")
    assert (problem.location.line, problem.location.col) == (7, 35)
