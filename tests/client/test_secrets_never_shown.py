"""Neither a key nor a credential that reads it shows up anywhere an app or its operator
looks: reprs, ``str()``, f-strings, errors, the chain's ``NoCredentials``, and the log
with every logger at DEBUG (the app chasing a bug), botocore's signer included.

Real parts: OpenBao (token and AppRole logins) and moto_server with IAM enforced, where
the app holds temporary credentials from STS ``AssumeRole`` (a session token, what EKS,
ECS and SSO give), so botocore signs with ``X-Amz-Security-Token``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, write_manifest
from tests.secret_stores import ROOT_TOKEN, Bao, Moto

from regctl.client import NoCredentials, Registry, SecretError, resolve_secret

VAULT_VALUE = "sk-never-VAULT-31415926535"
AWS_VALUE = "sk-never-AWS-27182818284"


def _assume_role(moto_sm: Moto) -> dict[str, str]:
    """Temporary credentials (ASIA..., a session token) for a role that may read secrets."""
    iam, sts = moto_sm.client("iam"), moto_sm.client("sts")
    name = f"reader-{time.monotonic_ns()}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    read = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="read",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read]}),
    )
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="app")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def _shown(*objects: Any) -> str:
    return "\n".join(f"{o!r} {o!s} {o}" for o in objects)


def test_no_key_or_credential_in_reprs_errors_or_debug_logs(
    store_env: pytest.MonkeyPatch,
    bao: Bao,
    moto_sm: Moto,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, botocore's and urllib3's included
    vault_path = f"never-{time.monotonic_ns()}"
    bao.put(f"secret/app/{vault_path}", {"api_key": VAULT_VALUE})
    bao.policy("never-read", 'path "secret/data/app/*" { capabilities = ["read"] }')
    role_id, secret_id = bao.approle("never", "never-read")
    aws_name = f"never/{time.monotonic_ns()}"
    moto_sm.client("secretsmanager").create_secret(
        Name=aws_name, SecretString=json.dumps({"api_key": AWS_VALUE})
    )
    temporary = _assume_role(moto_sm)
    store_env.setenv("VAULT_ADDR", bao.addr)
    store_env.setenv("VAULT_ROLE_ID", role_id)
    store_env.setenv("VAULT_SECRET_ID", secret_id)
    store_env.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_sm.endpoint)
    store_env.setenv("AWS_REGION", "us-east-1")
    for name, value in temporary.items():
        store_env.setenv(name, value)
    caplog.clear()  # from here on, only what the app's own calls log

    vault_ref, aws_ref = f"vault:secret/app/{vault_path}#api_key", f"aws-sm:{aws_name}#api_key"
    body: Any = base_doc()
    body["providers"]["openai"]["credentials"] = [vault_ref]
    body["providers"]["backup"]["credentials"] = [aws_ref]
    body["providers"]["anthropic"]["credentials"] = ["vault:secret/app/absent#api_key"]
    body["providers"]["anthropic"]["allow_shared_credentials"] = True
    registry = Registry.load(write_manifest(tmp_path / "m.json", body))

    chosen = registry.resolve("chat", provider="openai")
    vault_key = chosen.api_key()
    aws_key = registry.provider("backup").api_key()
    assert vault_key.get_secret_value() == VAULT_VALUE  # what the app passes to its SDK
    assert aws_key.get_secret_value() == AWS_VALUE
    refreshed = chosen.api_key(refresh=True)  # the 401 path: a fresh read
    with pytest.raises(NoCredentials) as no_key:
        registry.provider("anthropic").api_key()
    store_env.setenv("VAULT_SECRET_ID", "f00dbabe-bad0-secr-etid-000000000000")
    store_env.setenv("AWS_SECRET_ACCESS_KEY", "wrong" + temporary["AWS_SECRET_ACCESS_KEY"])
    from regctl.client.secrets import clear_cache

    clear_cache()
    failures = []
    for ref in (vault_ref, aws_ref):
        with pytest.raises(SecretError) as caught:
            resolve_secret(ref, refresh=True)
        failures.append(caught.value)

    seen = _shown(chosen, vault_key, aws_key, refreshed, no_key.value, *failures)
    seen += "\n" + caplog.text
    assert any(r.name == "botocore.auth" for r in caplog.records), "botocore logged no signing"
    for secret in (
        VAULT_VALUE, AWS_VALUE, ROOT_TOKEN, secret_id, temporary["AWS_SECRET_ACCESS_KEY"],
        temporary["AWS_SESSION_TOKEN"], moto_sm.admin["AWS_SECRET_ACCESS_KEY"],
    ):  # fmt: skip
        assert secret not in seen
    # what is shown instead: the references, and botocore's record with the token masked
    assert vault_ref in _shown(vault_key) and "****" in caplog.text
    assert "vault:secret/app/absent#api_key" in str(no_key.value)
