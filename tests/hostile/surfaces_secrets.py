"""Surfaces of the secret stores: the client's ``vault:`` and ``aws-sm:`` readers.

The store's address comes from the environment (``VAULT_ADDR``, the Secrets Manager
endpoint), so each drive points it at the hostile peer for the length of one read, with
the total deadline set to :data:`~surfaces.T`. The credentials at stake (the Vault token,
an AppRole secret id, a service-account token, AWS keys) are in ``invariants.SECRETS``:
no message may hold one, and a redirect must not carry one to another host.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from tests.hostile.invariants import SECRETS
from tests.hostile.peers import HostilePeer
from tests.hostile.surfaces import Place, T, refused, surface

REF_VAULT = "vault:secret/openai#api_key"
REF_AWS = "aws-sm:prod/openai#api_key"


@contextlib.contextmanager
def _env(**values: str | None) -> Iterator[None]:
    """The store settings of one read (``None`` unsets), restored after; no cached value."""
    from regctl.client.secrets import clear_cache

    saved = {name: os.environ.get(name) for name in values}
    for name, value in {"REGCTL_SECRETS_TIMEOUT": str(T), **values}.items():
        saved.setdefault(name, os.environ.get(name))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    clear_cache()
    try:
        yield
    finally:
        clear_cache()
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def _read(ref: str) -> str:
    from regctl.client import SecretError, resolve_secret

    return refused(SecretError, lambda: resolve_secret(ref, refresh=True))


@surface(
    "client.vault",
    "peer",
    "regctl.client._vault",
    "regctl.client._vault_http",
    "regctl.client._stores",
)
def _vault(peer: HostilePeer, tmp: Path) -> str:
    with _env(VAULT_ADDR=peer.origin, VAULT_TOKEN=SECRETS["VAULT_TOKEN"]):
        return _read(REF_VAULT)


@surface("client.vault-approle", "peer", "regctl.client._vault_auth")
def _vault_approle(peer: HostilePeer, tmp: Path) -> str:
    """The AppRole login is the first exchange: the peer answers it."""
    with _env(
        VAULT_ADDR=peer.origin,
        VAULT_TOKEN=None,
        VAULT_ROLE_ID="hostile-role-id",
        VAULT_SECRET_ID=SECRETS["VAULT_SECRET_ID"],
    ):
        return _read(REF_VAULT)


@surface("client.vault-k8s-token", "file", "regctl.client._vault_auth")
def _vault_k8s_token(place: Place, tmp: Path) -> str:
    """The service-account token file a Kubernetes login reads (before any exchange)."""
    path = tmp / "token"
    place(path)
    with _env(
        VAULT_ADDR="http://127.0.0.1:9",  # the discard port: a token that reads is refused
        VAULT_TOKEN=None,
        VAULT_K8S_ROLE="app",
        VAULT_K8S_TOKEN_PATH=str(path),
    ):
        return _read(REF_VAULT)


@surface("client.aws-sm", "peer", "regctl.client._aws_sm")
def _aws_sm(peer: HostilePeer, tmp: Path) -> str:
    from tests.conftest import require_module

    require_module("botocore")
    with _env(AWS_ENDPOINT_URL_SECRETS_MANAGER=peer.origin, AWS_REGION="us-east-1"):
        return _read(REF_AWS)
