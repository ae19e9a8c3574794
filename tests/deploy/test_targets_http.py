"""The HTTP target against a real server on 127.0.0.1 that honours If-Match."""

from __future__ import annotations

import time

import pytest
from deploy_fixtures import TargetServer, build_manifest, switch_active, text_of

from regctl.deploy.targets import Deployed, TargetChanged, TargetError
from regctl.deploy.targets.http import HttpTarget


def test_put_with_if_none_match_then_if_match(http_target: TargetServer) -> None:
    target = HttpTarget(http_target.url, backoff=0.01)
    a, b = build_manifest(), switch_active(build_manifest())
    first = target.read()
    assert not first.exists

    target.write(text_of(a), a["digest"], expected=first)
    assert http_target.requests[-1][1].get("If-None-Match") == "*"
    deployed = target.read()
    assert deployed.digest == a["digest"] and deployed.version == http_target.etag()

    target.write(text_of(b), b["digest"], expected=deployed)
    assert http_target.requests[-1][1].get("If-Match") == deployed.version
    assert http_target.body == text_of(b).encode()


def test_concurrent_change_gives_412_and_leaves_target_alone(http_target: TargetServer) -> None:
    target = HttpTarget(http_target.url, backoff=0.01)
    a, b = build_manifest(), switch_active(build_manifest())
    target.write(text_of(a), a["digest"], expected=target.read())
    seen = target.read()
    http_target.body = b"someone else's manifest"
    with pytest.raises(TargetChanged, match="412 Precondition Failed"):
        target.write(text_of(b), b["digest"], expected=seen)
    assert http_target.body == b"someone else's manifest"


def test_5xx_is_retried_with_backoff(http_target: TargetServer) -> None:
    target = HttpTarget(http_target.url, retries=3, backoff=0.05)
    a = build_manifest()
    http_target.fail = 2
    started = time.monotonic()
    assert not target.read().exists
    assert time.monotonic() - started >= 0.05 + 0.1  # two backoffs: 0.05, 0.10
    http_target.fail = 1
    target.write(text_of(a), a["digest"], expected=Deployed(None))
    assert http_target.body == text_of(a).encode()


def test_persistent_500_is_a_clear_error_without_secrets(http_target: TargetServer) -> None:
    token = "tok-" + "s3cr3t" * 5
    target = HttpTarget(http_target.url, retries=2, backoff=0.01, token=token)
    http_target.fail = -1
    with pytest.raises(TargetError) as info:
        target.read()
    msg = str(info.value)
    assert "HTTP 500" in msg and "after 3 attempts" in msg and http_target.url in msg
    assert token not in msg and token not in repr(target)
    assert http_target.requests[0][1]["Authorization"] == f"Bearer {token}"


def test_unreachable_target(closed_port_url: str) -> None:
    target = HttpTarget(closed_port_url, retries=1, backoff=0.01, timeout=2)
    with pytest.raises(TargetError, match="connection refused"):
        target.read()


def test_server_without_etag_is_checked_by_content(http_target: TargetServer) -> None:
    http_target.honour_etag = False
    target = HttpTarget(http_target.url, backoff=0.01)
    a, b = build_manifest(), switch_active(build_manifest())
    http_target.body = text_of(a).encode()
    seen = target.read()
    assert seen.version is None
    http_target.body = b"changed"
    with pytest.raises(TargetChanged):
        target.write(text_of(b), b["digest"], expected=seen)
    assert http_target.body == b"changed"
