"""URLs that two parsers read differently never carry credentials to a host nobody approved.

Issue 20, item 1: with only ``localhost`` allowed, ``http://127.0.0.1%3APORT%5C@localhost``
passed the policy (urllib saw ``localhost``) while botocore connected to 127.0.0.1:PORT
with the signed request. Here an *attacker* recorder listens on 127.0.0.2 (never
``localhost``), the operator allows ``localhost`` only, and every surface that sends
credentials is given URL forms that a second parser could route to the attacker. The
attacker must receive no credential: the URL is refused, or the request goes where the
policy looked. A control case sends to the allowed host and sees the credentials
arrive (so these tests can fail).
"""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import require_module
from tests.hostile.invariants import SECRETS
from tests.hostile.peers import Recorder

PASSWORD = "hostile-etcd-password-Zq81"
CREDENTIALS = (*SECRETS.values(), PASSWORD)


@pytest.fixture
def attacker() -> Iterator[Recorder]:
    rec = Recorder("127.0.0.2")
    yield rec
    rec.close()


@pytest.fixture
def allowed() -> Iterator[Recorder]:
    """The host the operator allowed: ``localhost`` (this recorder listens on 127.0.0.1)."""
    rec = Recorder("127.0.0.1")
    yield rec
    rec.close()


#: URL forms (``{p}``: the attacker's port on 127.0.0.2) a differential parser routes there.
FORMS = [
    "http://127.0.0.2%3A{p}%5C@localhost/m.json",
    "http://127.0.0.2:{p}%5C@localhost/m.json",
    "http://127.0.0.2:{p}\\@localhost/m.json",
    "http://localhost\\@127.0.0.2:{p}/m.json",
    "http://localhost#@127.0.0.2:{p}/m.json",
    "http://localhost?@127.0.0.2:{p}/m.json",
    "http://localhost:1@127.0.0.2:{p}/m.json",
    "http://localhost%00@127.0.0.2:{p}/m.json",
    "http://localhost%2523@127.0.0.2:{p}/m.json",
    "http://127.0.0.2:{p}%23@localhost/m.json",
    "http://localhost\t@127.0.0.2:{p}/m.json",
    "http://localhost.@127.0.0.2:{p}/m.json",
    "http://0x7f.0.0.2:{p}/m.json",
    "http://2130706434:{p}/m.json",
    "http://127.2:{p}/m.json",
]
#: Forms that honestly name the attacker: a registry may not send credentials there
#: (the targets' policy); the client's source is the application's own setting.
HONEST = ["http://[::ffff:127.0.0.2]:{p}/m.json", "http://127.0.0.2:{p}/m.json"]


def _authority(url: str) -> str:
    return url.split("://", 1)[1].split("/m.json", 1)[0]


def _http_target(url: str) -> None:
    from regctl.deploy.targets.http import HttpTarget

    HttpTarget(url, timeout=2, retries=0).read()


def _s3_target(url: str) -> None:
    from regctl.deploy.targets.s3 import S3Target

    endpoint = url.removesuffix("/m.json")
    S3Target(f"s3://bucket/m.json?endpoint={endpoint}", timeout=2).read()


def _s3_target_quoted(url: str) -> None:
    """The endpoint percent-encoded once, so its escapes arrive as written."""
    from regctl.deploy.targets.s3 import S3Target

    endpoint = urllib.parse.quote(url.removesuffix("/m.json"), safe=":/[]")
    S3Target(f"s3://bucket/m.json?endpoint={endpoint}", timeout=2).read()


def _etcd_target(url: str) -> None:
    from regctl.deploy.targets.etcd import EtcdTarget

    EtcdTarget(f"etcd://{_authority(url)}/regctl/m", timeout=2).read()


def _client_s3(url: str) -> None:
    from regctl.client import Registry

    endpoint = urllib.parse.quote(url.removesuffix("/m.json"), safe=":/[]")
    Registry.load(f"s3://bucket/m.json?endpoint={endpoint}", timeout=2, cache=False)


def _client_etcd(url: str) -> None:
    from regctl.client import Registry

    Registry.load(f"etcd://{_authority(url)}/regctl/m", timeout=2, cache=False)


#: Surfaces that send credentials -> how to point one at a URL.
SENDERS: dict[str, Callable[[str], None]] = {
    "target.http": _http_target,
    "target.s3": _s3_target,
    "target.s3-quoted-endpoint": _s3_target_quoted,
    "target.etcd": _etcd_target,
    "client.s3": _client_s3,
    "client.etcd": _client_etcd,
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ETCDCTL_USER", f"root:{PASSWORD}")
    monkeypatch.setenv("REGCTL_TARGET_ALLOWED_HOSTS", "localhost")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("REGCTL_CACHE_DIR", str(tmp_path))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def _send(sender: str, url: str) -> str:
    """Drive ``sender`` at ``url``; the one-line error it gave, or "" when it went through."""
    from regctl.base.errors import RegctlError
    from regctl.client import ClientError

    if "s3" in sender:
        require_module("botocore")
    try:
        SENDERS[sender](url)
    except (RegctlError, ClientError) as exc:
        message = str(exc)
        assert "\n" not in message and "Traceback" not in message
        return message
    return ""


CASES = [
    pytest.param(sender, form, id=f"{sender}-{form.split('://')[1][:40]}")
    for sender in SENDERS
    for form in (FORMS if sender.startswith("client.") else FORMS + HONEST)
]


@pytest.mark.parametrize(("sender", "form"), CASES)
def test_no_credential_reaches_a_host_the_policy_did_not_approve(
    sender: str, form: str, attacker: Recorder, env: None
) -> None:
    url = form.format(p=attacker.port)
    message = _send(sender, url)
    assert not attacker.credentials_seen(*CREDENTIALS), (
        sender,
        url,
        attacker.credentials_seen(*CREDENTIALS)[:1],
    )
    for secret in (*SECRETS.values(), PASSWORD):
        assert secret not in message


@pytest.mark.parametrize("sender", [s for s in SENDERS if s != "target.s3-quoted-endpoint"])
def test_the_allowed_host_does_get_the_credentials(
    sender: str, allowed: Recorder, env: None
) -> None:
    _send(sender, f"http://localhost:{allowed.port}/m.json")
    assert allowed.credentials_seen(*CREDENTIALS), (
        f"{sender} sent no credential to the allowed host"
    )


def test_the_issue_forms_are_refused_by_the_one_parser() -> None:
    from regctl.deploy.targets.policy import decide
    from regctl.io import urls

    env = {"REGCTL_TARGET_ALLOWED_HOSTS": "localhost,allowed.host"}
    for url in ("http://127.0.0.1%3A9000%5C@localhost", "https://attacker%5C@allowed.host"):
        with pytest.raises(urls.BadUrl, match="user info"):
            urls.parse(url)
        decision = decide(url, env=env)
        assert not decision.allowed and "user info" in decision.reason


def test_loopback_ports_do_not_leak_through_dns_forms() -> None:
    """Numeric host forms getaddrinfo accepts are refused before any lookup."""
    from regctl.io import urls

    with socket.socket() as s:  # what the forms would reach: the resolver agrees
        assert socket.gethostbyname("2130706434") == "127.0.0.2"
        s.close()
    for host in ("2130706434", "0x7f.0.0.2", "127.2", "0177.0.0.2"):
        with pytest.raises(urls.BadUrl, match="canonical IPv4"):
            urls.parse(f"http://{host}:80/")
