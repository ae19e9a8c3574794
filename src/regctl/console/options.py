"""What the console is started with (``regctl serve`` options)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

#: Host names a browser on this machine uses for a loopback server.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@dataclass(frozen=True)
class ConsoleOptions:
    """The console's inputs besides the watched manifest.

    ``usage``: usage JSONL files for the spend page. ``registry``: the registry folder
    (budgets for spend; the YAML that "propose" edits in memory). ``history``: the
    deploy target whose applied manifests the changes page lists (``file:``, ``s3://``,
    ``etcd://``). ``allowed_hosts``: ``Host`` names the console answers besides the
    loopback ones (a DNS-rebinding page gets a 421, never the console).
    """

    usage: tuple[str, ...] = ()
    registry: Path | None = None
    history: str | None = None
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether a request with this ``Host`` may see the console."""
        if not host_header:
            return False
        name = host_header.strip().lower()
        if name.startswith("["):  # [::1]:8080
            name = name[: name.find("]") + 1] if "]" in name else name
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        if "*" in self.allowed_hosts or name in self.allowed_hosts:
            return True
        if name in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(name.strip("[]")).is_loopback
        except ValueError:
            return False


def is_loopback(host: str) -> bool:
    """Whether ``--host`` binds a loopback address only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
