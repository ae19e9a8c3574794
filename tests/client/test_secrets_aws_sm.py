"""``aws-sm:`` references against AWS Secrets Manager as ``moto_server`` emulates it.

moto runs on loopback with IAM enforced (tests/secret_stores.py): it checks each request's
SigV4 signature against the caller's secret key and the caller's IAM policy. What is under
test is what regctl does: botocore's credential chain (here the environment variables),
its signing, the request sent through the bounded HTTP layer, and the parsing of the
answers, the errors included.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, write_manifest
from tests.fleet import free_ports
from tests.secret_stores import Moto

from regctl.client import (
    MalformedSecretReference,
    Registry,
    SecretAccessDenied,
    SecretConfigError,
    SecretError,
    SecretNotFound,
    SecretStoreUnavailable,
    resolve_secret,
)

VALUE = "sk-aws-VALUE-5e6f7a8b9c0d1e2f"


@pytest.fixture
def env(store_env: pytest.MonkeyPatch, moto_sm: Moto) -> pytest.MonkeyPatch:
    store_env.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_sm.endpoint)
    store_env.setenv("AWS_REGION", "us-east-1")
    for name, value in moto_sm.admin.items():
        store_env.setenv(name, value)
    return store_env


def _secret(moto_sm: Moto, value: str, region: str = "us-east-1", **kw: Any) -> tuple[str, str]:
    """A new secret holding ``value``; its ``(name, ARN)``."""
    name = f"prod/llm-{time.monotonic_ns()}"
    sm = moto_sm.client("secretsmanager", region=region)
    arn = sm.create_secret(Name=name, SecretString=value, **kw)["ARN"]
    return name, arn


def _error(ref: str, kind: type[SecretError], *hidden: str) -> str:
    with pytest.raises(kind) as caught:
        resolve_secret(ref, refresh=True)
    text = str(caught.value)
    assert text.startswith(ref + ": ") and "\n" not in text
    for secret in (*hidden, VALUE):
        assert secret not in text
    return text


def test_json_secret_field_and_plain_string(env: Any, moto_sm: Moto) -> None:
    name, arn = _secret(moto_sm, json.dumps({"api_key": VALUE, "org": "acme"}))
    key = resolve_secret(f"aws-sm:{name}#api_key")
    assert key.get_secret_value() == VALUE and key.source == f"aws-sm:{name}#api_key"
    assert VALUE not in repr(key) + str(key)
    assert resolve_secret(f"aws-sm:{arn}#org").get_secret_value() == "acme"
    plain, _ = _secret(moto_sm, f"  {VALUE}\n")
    assert resolve_secret(f"aws-sm:{plain}").get_secret_value() == VALUE
    # without #FIELD the whole string is the value, JSON or not
    assert json.loads(resolve_secret(f"aws-sm:{name}").get_secret_value())["org"] == "acme"


def test_binary_secret(env: Any, moto_sm: Moto) -> None:
    name = f"bin-{time.monotonic_ns()}"
    moto_sm.client("secretsmanager").create_secret(Name=name, SecretBinary=VALUE.encode())
    assert resolve_secret(f"aws-sm:{name}").get_secret_value() == VALUE
    raw = f"raw-{time.monotonic_ns()}"
    moto_sm.client("secretsmanager").create_secret(Name=raw, SecretBinary=b"\xff\xfe\x00")
    assert "binary and not UTF-8" in _error(f"aws-sm:{raw}", SecretError)


def test_field_errors(env: Any, moto_sm: Moto) -> None:
    name, _ = _secret(moto_sm, json.dumps({"api_key": VALUE, "n": 5}))
    assert "has no field 'apikey'" in _error(f"aws-sm:{name}#apikey", SecretNotFound)
    assert "field 'n' is not a string" in _error(f"aws-sm:{name}#n", SecretError)
    plain, _ = _secret(moto_sm, VALUE)
    assert "not a JSON object" in _error(f"aws-sm:{plain}#api_key", SecretError)


def test_rotation_is_picked_up_after_refresh(env: Any, moto_sm: Moto, tmp_path: Path) -> None:
    name, _ = _secret(moto_sm, json.dumps({"api_key": "old-key"}))
    body = base_doc()
    body["providers"]["openai"]["credentials"] = [f"aws-sm:{name}#api_key"]
    chosen = Registry.load(write_manifest(tmp_path / "m.json", body)).resolve("chat")
    assert chosen.api_key().get_secret_value() == "old-key"
    moto_sm.client("secretsmanager").put_secret_value(
        SecretId=name, SecretString=json.dumps({"api_key": "new-key"})
    )
    assert chosen.api_key().get_secret_value() == "old-key"  # cached for the TTL
    assert chosen.api_key(refresh=True).get_secret_value() == "new-key"


def test_missing_secret(env: Any) -> None:
    text = _error("aws-sm:prod/does-not-exist", SecretNotFound)
    assert "no secret 'prod/does-not-exist' in region us-east-1 (ResourceNotFoundException" in text


def test_access_denied_by_iam_policy(env: Any, moto_sm: Moto) -> None:
    name, _ = _secret(moto_sm, VALUE)
    for var, value in moto_sm.reader.items():  # may DescribeSecret, not GetSecretValue
        env.setenv(var, value)
    text = _error(f"aws-sm:{name}", SecretAccessDenied, moto_sm.reader["AWS_SECRET_ACCESS_KEY"])
    assert "AWS denied GetSecretValue (HTTP 403, AccessDenied" in text
    assert "user/reader is not authorized to perform: secretsmanager:GetSecretValue" in text


def test_wrong_secret_key_fails_the_signature(env: Any, moto_sm: Moto) -> None:
    name, _ = _secret(moto_sm, VALUE)
    wrong = "Wrong/Secret+Access/Key0123456789abcdefghij"
    env.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    text = _error(f"aws-sm:{name}", SecretAccessDenied, wrong)
    assert "SignatureDoesNotMatch" in text


def test_wrong_region(env: Any, moto_sm: Moto) -> None:
    name, arn = _secret(moto_sm, VALUE)  # in us-east-1
    env.setenv("AWS_REGION", "eu-west-1")
    text = _error(f"aws-sm:{name}", SecretNotFound)
    assert "in region eu-west-1 (ResourceNotFoundException" in text
    # the ARN's region wins over the environment's
    assert resolve_secret(f"aws-sm:{arn}").get_secret_value() == VALUE
    elsewhere = arn.replace(":us-east-1:", ":ap-southeast-2:")
    assert "in region ap-southeast-2" in _error(f"aws-sm:{elsewhere}", SecretNotFound)
    env.delenv("AWS_REGION")
    env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert "in region eu-west-1" in _error(f"aws-sm:{name}", SecretNotFound)
    # the region variables are part of a cached value's key: another region, another read
    env.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert resolve_secret(f"aws-sm:{name}").get_secret_value() == VALUE
    env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with pytest.raises(SecretNotFound, match="in region eu-west-1"):
        resolve_secret(f"aws-sm:{name}")  # not the value cached for us-east-1


def test_no_region_and_no_credentials(env: Any, moto_sm: Moto) -> None:
    name, _ = _secret(moto_sm, VALUE)
    env.delenv("AWS_REGION")
    assert "no AWS region: use the secret's ARN, or set AWS_REGION" in _error(
        f"aws-sm:{name}", SecretConfigError
    )
    env.setenv("AWS_REGION", "us-east-1")
    env.delenv("AWS_ACCESS_KEY_ID")
    env.delenv("AWS_SECRET_ACCESS_KEY")
    from regctl.client.secrets import clear_cache

    clear_cache()
    assert "no AWS credentials" in _error(f"aws-sm:{name}", SecretConfigError)


def test_credentials_from_a_profile(env: Any, moto_sm: Moto, tmp_path: Path) -> None:
    name, _ = _secret(moto_sm, VALUE)
    creds = moto_sm.admin
    (tmp_path / "home" / "aws-credentials").write_text(
        "[team]\n"
        f"aws_access_key_id = {creds['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {creds['AWS_SECRET_ACCESS_KEY']}\n"
    )
    env.delenv("AWS_ACCESS_KEY_ID")
    env.delenv("AWS_SECRET_ACCESS_KEY")
    env.setenv("AWS_PROFILE", "team")
    assert resolve_secret(f"aws-sm:{name}").get_secret_value() == VALUE


def test_store_down(env: Any) -> None:
    (port,) = free_ports(1)
    env.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{port}")
    text = _error("aws-sm:prod/openai", SecretStoreUnavailable)
    assert f"cannot reach Secrets Manager at http://127.0.0.1:{port} (connection refused)" in text


def test_malformed_reference(env: Any) -> None:
    arn = "aws-sm:arn:aws:secretsmanager:evil.example:123456789012:secret:x"
    assert "'evil.example' is not an AWS region" in _error(arn, MalformedSecretReference)
    with pytest.raises(MalformedSecretReference, match="want aws-sm:SECRET_ID"):
        resolve_secret("aws-sm:prod/openai#")


def test_botocore_is_imported_only_for_aws_sm(env: Any, moto_sm: Moto, tmp_path: Path) -> None:
    name, _ = _secret(moto_sm, VALUE)
    script = (
        "import sys\n"
        "from regctl.client import resolve_secret\n"
        "resolve_secret('env:RC_PLAIN')\n"
        "before = 'botocore' in sys.modules\n"
        f"resolve_secret('aws-sm:{name}')\n"
        "print(before, 'botocore' in sys.modules)\n"
    )
    import os

    proc = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "RC_PLAIN": "x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]
