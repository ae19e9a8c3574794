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

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from regctl.io import urls

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
    return urls.is_loopback(host)


def allowed_hosts(env: Mapping[str, str] | None = None) -> list[str]:
    """The operator's allow-list from :data:`ALLOWED_HOSTS_ENV` (lower-case entries)."""
    raw = (env if env is not None else os.environ).get(ALLOWED_HOSTS_ENV, "")
    return [h.strip().lower() for h in raw.replace(" ", ",").split(",") if h.strip()]


def _bare(host: str) -> str:
    return host.rstrip(".")


def decide(
    url: str | urls.Endpoint,
    *,
    operator_urls: Iterable[str | urls.Endpoint] = (),
    env: Mapping[str, str] | None = None,
    secure_schemes: tuple[str, ...] = ("https",),
) -> Decision:
    """May credentials be sent to ``url``? (See the module documentation for the rule.)

    ``url`` is parsed by :func:`regctl.io.urls.parse` unless it already is an
    :class:`~regctl.io.urls.Endpoint`: the caller connects to that same endpoint, so
    what is decided here is exactly where the credentials go.
    """
    try:
        ep = url if isinstance(url, urls.Endpoint) else urls.parse(url)
    except urls.BadUrl as exc:
        return Decision(False, f"the URL is refused: {exc}")
    host = _bare(ep.host)
    if ep.scheme not in secure_schemes and not urls.is_loopback(ep.host):
        return Decision(False, f"{ep.scheme}:// is not encrypted (use https)")
    for other in operator_urls:
        try:
            o = other if isinstance(other, urls.Endpoint) else urls.parse(other)
        except urls.BadUrl:
            continue
        if o.same_origin(ep):
            return Decision(True)
    port = str(ep.port)
    for entry in allowed_hosts(env):
        name, colon, entry_port = entry.rpartition(":") if not entry.endswith("]") else ("", "", "")
        if not colon or not entry_port.isdigit():
            name, entry_port = entry, ""
        if _bare(name.strip("[]")) == host.strip("[]") and entry_port in ("", port):
            return Decision(True)
    return Decision(
        False,
        f"host {ep.host_for_url} is not allowed to receive the token: list it in "
        f"{ALLOWED_HOSTS_ENV} or name the URL with --target (a registry file cannot allow a host)",
    )
