"""Which credentials a target may receive: the operator decides, never the registry.

A pull request can edit ``targets:`` in the Registry document. If regctl sent
``REGCTL_TARGET_TOKEN`` to whatever URL the YAML names, a one-line change would
post the deploy token to an attacker's server (from CI, on ``plan``). So a
token goes to a URL only when both hold:

- the scheme is ``https`` (plain ``http`` only to a loopback address, for tests
  and local servers): a token is never sent in clear text over a network;
- the host was allowed *outside* the registry: listed in
  ``REGCTL_TARGET_ALLOWED_HOSTS`` (comma-separated ``host`` or ``host:port``),
  or named by the operator on the command line (``--target``).

Otherwise the request goes out without credentials (anonymous reads still work,
so ``plan`` on a pull request runs with no token at all) and :func:`decide`
says why. The rule is scheme-agnostic over URLs so other network targets
(object stores, key-value stores) reuse it.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ALLOWED_HOSTS_ENV = "REGCTL_TARGET_ALLOWED_HOSTS"
TOKEN_ENV = "REGCTL_TARGET_TOKEN"
READ_TOKEN_ENV = "REGCTL_TARGET_READ_TOKEN"


@dataclass(frozen=True)
class Decision:
    """Whether credentials may go to a URL, and if not, the reason in one line."""

    allowed: bool
    reason: str = ""


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(env: Mapping[str, str] | None = None) -> list[str]:
    """The operator's allow-list from :data:`ALLOWED_HOSTS_ENV` (lower-case entries)."""
    raw = (env if env is not None else os.environ).get(ALLOWED_HOSTS_ENV, "")
    return [h.strip().lower() for h in raw.replace(" ", ",").split(",") if h.strip()]


def decide(
    url: str,
    *,
    operator_urls: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    secure_schemes: tuple[str, ...] = ("https",),
) -> Decision:
    """May credentials be sent to ``url``? (See the module documentation for the rule.)"""
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return Decision(False, "the URL cannot be parsed")
    if not host:
        return Decision(False, "the URL has no host")
    if parts.scheme not in secure_schemes and not is_loopback(host):
        return Decision(False, f"{parts.scheme}:// is not encrypted (use https)")
    for other in operator_urls:
        try:
            o = urllib.parse.urlsplit(other)
            if (o.hostname or "").lower() == host and o.port == port and o.scheme == parts.scheme:
                return Decision(True)
        except ValueError:
            continue
    for entry in allowed_hosts(env):
        if entry == host or (port is not None and entry == f"{host}:{port}"):
            return Decision(True)
    return Decision(
        False,
        f"host {host} is not allowed to receive the token: list it in {ALLOWED_HOSTS_ENV}"
        " or name the URL with --target (a registry file cannot allow a host)",
    )
