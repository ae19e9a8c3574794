"""`regctl doctor` on a manifest whose keys live in Vault (OpenBao) and AWS Secrets Manager
(moto): a line per reference, never a value or a token, exit 1 when one fails."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from client_fixtures import base_doc, write_manifest
from tests.conftest import run_cli
from tests.secret_stores import ROOT_TOKEN, Bao, Moto

VAULT_VALUE = "sk-doctor-VAULT-aa11bb22cc33"
AWS_VALUE = "sk-doctor-AWS-dd44ee55ff66"


def _env(bao: Bao, moto_sm: Moto, home: Path, token: str = ROOT_TOKEN) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VAULT_", "AWS_", "RC_TEST_", "REGCTL_"))
    }
    home.mkdir(exist_ok=True)
    return env | {
        "HOME": str(home),
        "VAULT_ADDR": bao.addr,
        "VAULT_TOKEN": token,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_sm.endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        **moto_sm.admin,
    }


def _manifest(tmp_path: Path, openai: list[str], backup: list[str]) -> Path:
    body: Any = base_doc()
    body["providers"]["openai"]["credentials"] = openai
    body["providers"]["backup"]["credentials"] = backup
    return write_manifest(tmp_path / f"m-{time.monotonic_ns()}.json", body)


def test_doctor_line_per_reference(bao: Bao, moto_sm: Moto, tmp_path: Path) -> None:
    path = f"doctor-{time.monotonic_ns()}"
    bao.put(f"secret/{path}", {"api_key": VAULT_VALUE})
    name = f"doctor/{time.monotonic_ns()}"
    moto_sm.client("secretsmanager").create_secret(
        Name=name, SecretString=json.dumps({"api_key": AWS_VALUE})
    )
    vault_ok, aws_ok = f"vault:secret/{path}#api_key", f"aws-sm:{name}#api_key"
    manifest = _manifest(
        tmp_path,
        openai=["env:RC_TEST_UNSET_KEY", vault_ok],
        backup=[aws_ok, f"vault:secret/{path}#nope", "aws-sm:doctor/absent"],
    )
    env = _env(bao, moto_sm, tmp_path / "home")
    proc = run_cli("doctor", "--manifest", str(manifest), env=env)
    out = proc.stdout
    assert proc.returncode == 1, proc.stderr
    for secret in (VAULT_VALUE, AWS_VALUE, ROOT_TOKEN, moto_sm.admin["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in out + proc.stderr
    lines = out.splitlines()
    assert lines[1:] == [
        "-  anthropic: personal key required (allow_shared_credentials: false)",
        f"✓  backup: {aws_ok}",
        f"✗  backup: vault:secret/{path}#nope: the secret at secret/{path} has no field 'nope'",
        "✗  backup: aws-sm:doctor/absent: no secret 'doctor/absent' in region us-east-1"
        " (ResourceNotFoundException: Secrets Manager can't find the specified secret.)",
        "-  bedrock: no credentials listed",
        "-  off: disabled",
        "✗  openai: env:RC_TEST_UNSET_KEY: environment variable RC_TEST_UNSET_KEY is not set",
        f"✓  openai: {vault_ok}",
        "5 references: 2 resolve, 3 do not",
    ]
    proc = run_cli("doctor", "--manifest", str(manifest), "--format", "json", env=env)
    got = json.loads(proc.stdout)
    assert proc.returncode == 1 and got["ok"] is False
    refs = [(c["reference"], c["status"]) for c in got["references"]]
    assert refs == [
        (aws_ok, "ok"),
        (f"vault:secret/{path}#nope", "fail"),
        ("aws-sm:doctor/absent", "fail"),
        ("env:RC_TEST_UNSET_KEY", "fail"),
        (vault_ok, "ok"),
    ]
    # per provider, the chain's answer: the reference an app would use, or no_credentials
    chain = {p["provider"]: p for p in got["providers"]}
    assert chain["openai"]["source"] == vault_ok and chain["backup"]["source"] == aws_ok
    assert chain["off"]["status"] == "disabled" and "source" not in chain["bedrock"]
    assert [r["code"] for r in got["references"] if r["status"] == "fail"] == [
        "secret_not_found",
        "secret_not_found",
        "secret_not_set",
    ]
    # every reference resolves: exit 0
    good = _manifest(tmp_path, openai=[vault_ok], backup=[aws_ok])
    proc = run_cli("doctor", "--manifest", str(good), env=env)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[-1] == "2 references: 2 resolve, 0 do not"


def test_doctor_with_a_wrong_token(bao: Bao, moto_sm: Moto, tmp_path: Path) -> None:
    path = f"doctor-{time.monotonic_ns()}"
    bao.put(f"secret/{path}", {"api_key": VAULT_VALUE})
    manifest = _manifest(tmp_path, openai=[f"vault:secret/{path}#api_key"], backup=[])
    wrong = "hvs.doctor-WRONG-token-0987"
    proc = run_cli(
        "doctor", "--manifest", str(manifest), env=_env(bao, moto_sm, tmp_path / "h", wrong)
    )
    assert proc.returncode == 1
    assert wrong not in proc.stdout + proc.stderr and VAULT_VALUE not in proc.stdout
    assert (
        f"✗  openai: vault:secret/{path}#api_key: Vault at {bao.addr} denied the read with the"
        " token from VAULT_TOKEN (HTTP 403: permission denied)"
    ) in proc.stdout.splitlines()
