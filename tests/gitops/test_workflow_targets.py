"""The workflow against etcd and S3 targets: credentials through the action's inputs.

prod is a real etcd with auth on (a writer and a reader whose role may only read the
manifest's keys), or a real SeaweedFS whose S3 API knows a writer and a read-only key.
The push run applies with the write credentials; a pull-request run plans with the
read-only ones alone, and they cannot write.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_binary, require_module
from tests.fleet import Server, etcd, seaweed
from tests.gitops.runner import Event, Remote, Runner, git
from tests.gitops.test_workflow import EXAMPLE, TPM, WORKFLOW, push_event

from regctl.client._etcd import prefix_end

KEY = "regctl/prod"
ROOT_PW, WRITE_PW, READ_PW = "root-Pw-5521", "writer-Pw-8813", "reader-Pw-2247"
S3_WRITE = ("regctl-writer", "writer-Secret-0457")
S3_READ = ("regctl-reader", "reader-Secret-9034")


def _gateway(url: str, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    req = urllib.request.Request(
        f"{url}/v3{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def etcd_auth(tmp_path: Path) -> Iterator[str]:
    """etcd with auth on: `writer` may read and write the manifest's keys, `reader` read."""
    server = etcd(require_binary("etcd"), tmp_path / "etcd")
    server.start()
    url = server.url
    try:
        key = "/" + KEY  # the URI path is the key
        span = {"key": _b64(key), "range_end": _b64(prefix_end(key))}
        for role, perm in (("regctl-write", "READWRITE"), ("regctl-read", "READ")):
            _gateway(url, "/auth/role/add", {"name": role})
            _gateway(url, "/auth/role/grant", {"name": role, "perm": {"permType": perm, **span}})
        for user, pw, role in (("root", ROOT_PW, "root"), ("writer", WRITE_PW, "regctl-write"),
                               ("reader", READ_PW, "regctl-read")):  # fmt: skip
            _gateway(url, "/auth/user/add", {"name": user, "password": pw})
            _gateway(url, "/auth/user/grant", {"user": user, "role": role})
        _gateway(url, "/auth/enable", {})
        yield url
    finally:
        server.stop()


@pytest.fixture
def s3_auth(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """SeaweedFS with two S3 identities: a writer and a read-only key. (endpoint, bucket)"""
    require_module("boto3")
    config = tmp_path / "s3.json"
    ident = [
        {"name": "writer", "credentials": [{"accessKey": S3_WRITE[0], "secretKey": S3_WRITE[1]}],
         "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
        {"name": "reader", "credentials": [{"accessKey": S3_READ[0], "secretKey": S3_READ[1]}],
         "actions": ["Read", "List"]},
    ]  # fmt: skip
    config.write_text(json.dumps({"identities": ident}))
    server: Server = seaweed(require_binary("weed"), tmp_path / "weed")
    server.argv.append(f"-s3.config={config}")
    server.start()
    try:
        import boto3

        client = boto3.client(
            "s3", endpoint_url=server.url, region_name="us-east-1",
            aws_access_key_id=S3_WRITE[0], aws_secret_access_key=S3_WRITE[1],
        )  # fmt: skip
        client.create_bucket(Bucket="models")
        yield server.url, "models"
    finally:
        server.stop()


def _runner(tmp: Path, bindir: Path, target: str, secrets: dict[str, str]) -> Runner:
    remote = Remote(tmp)
    seed = tmp / "seed"
    shutil.copytree(EXAMPLE, seed / "registry")
    reg = seed / "registry" / "registry.yaml"
    reg.write_text(
        reg.read_text().replace("prod: file:deploy/prod/manifest.lock.json", f"prod: {target}")
    )
    (seed / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, seed / ".github" / "workflows" / "registry.yml")
    git("init", "-q", "-b", "main", cwd=seed)
    git("add", ".", cwd=seed)
    git("commit", "-qm", "registry", cwd=seed)
    git("push", "-q", remote.url, "main", cwd=seed)
    secrets = {"REGCTL_TARGET_ALLOWED_HOSTS": "127.0.0.1", **secrets}
    return Runner(tmp / "runs", remote, bindir, bindir.parents[1] / "action", secrets)


def _pull_request(runner: Runner) -> Any:
    remote = runner.remote
    clone = remote.clone()
    git("checkout", "-q", "-b", "tpm", cwd=clone)
    prod = clone / "registry" / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace(TPM, "      tpm: 900000\n"))
    git("commit", "-qam", "prod: tpm", cwd=clone)
    git("push", "-q", "origin", "tpm", cwd=clone)
    sha = remote.pull_request("tpm")
    return runner.run(Event("pull_request", sha, "refs/pull/7/merge", ["registry/x"]))


def _regctl(cwd: Path, bindir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ETCDCTL_"))}
    full = {**clean, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(
        ["regctl", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120
    )


def test_etcd_apply_with_write_credentials_plan_with_read_only(
    tmp_path: Path, action_install: tuple[Path, str], etcd_auth: str
) -> None:
    bindir = action_install[0]
    target = f"etcd://{etcd_auth.split('://', 1)[1]}/{KEY}"
    secrets = {
        "REGCTL_ETCD_USER": "writer", "REGCTL_ETCD_PASSWORD": WRITE_PW,
        "REGCTL_ETCD_READ_USER": "reader", "REGCTL_ETCD_READ_PASSWORD": READ_PW,
    }  # fmt: skip
    runner = _runner(tmp_path, bindir, target, secrets)
    push = runner.run(push_event(runner.remote))
    assert push.job("apply", "prod").code == 0, push.text()
    assert "**Applied** sha256" in push.job("apply", "prod").summary

    pr = _pull_request(runner)
    leg = pr.job("plan", "prod")
    assert leg.code == 0, pr.text()
    assert leg.ctx["steps"]["action-plan"]["outputs"]["changes"] == "true"
    assert "tpm" in leg.summary
    assert WRITE_PW not in pr.text() and READ_PW not in pr.text() + leg.summary

    # The read-only user can plan but not apply: etcd refuses the write.
    ws = leg.workspace
    denied = _regctl(ws, bindir, "apply", "registry", "--env", "prod", "--auto-approve",
                     ETCDCTL_USER="reader", ETCDCTL_PASSWORD=READ_PW,
                     REGCTL_TARGET_ALLOWED_HOSTS="127.0.0.1")  # fmt: skip
    assert denied.returncode == 1 and "permission denied" in denied.stderr.lower(), denied.stderr
    assert READ_PW not in denied.stdout + denied.stderr


def test_s3_apply_with_write_key_plan_with_read_only_key(
    tmp_path: Path, action_install: tuple[Path, str], s3_auth: tuple[str, str]
) -> None:
    bindir = action_install[0]
    endpoint, bucket = s3_auth
    secrets = {
        "REGCTL_S3_ACCESS_KEY_ID": S3_WRITE[0], "REGCTL_S3_SECRET_ACCESS_KEY": S3_WRITE[1],
        "REGCTL_S3_READ_ACCESS_KEY_ID": S3_READ[0],
        "REGCTL_S3_READ_SECRET_ACCESS_KEY": S3_READ[1],
        "REGCTL_S3_REGION": "us-east-1", "REGCTL_S3_ENDPOINT_URL": endpoint,
    }  # fmt: skip
    runner = _runner(tmp_path, bindir, f"s3://{bucket}/prod/manifest.lock.json", secrets)
    push = runner.run(push_event(runner.remote))
    assert push.job("apply", "prod").code == 0, push.text()

    pr = _pull_request(runner)
    leg = pr.job("plan", "prod")
    assert leg.code == 0, pr.text()
    assert leg.ctx["steps"]["action-plan"]["outputs"]["changes"] == "true"
    assert S3_WRITE[1] not in pr.text() and S3_READ[1] not in pr.text() + leg.summary

    aws = {
        "AWS_ACCESS_KEY_ID": S3_READ[0], "AWS_SECRET_ACCESS_KEY": S3_READ[1],
        "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }  # fmt: skip
    args = ("apply", "registry", "--env", "prod", "--auto-approve")
    denied = _regctl(leg.workspace, bindir, *args, **aws)
    assert denied.returncode == 1, denied.stdout + denied.stderr
    assert "AccessDenied" in denied.stderr or "403" in denied.stderr, denied.stderr
    assert "Traceback" not in denied.stderr and S3_READ[1] not in denied.stderr
