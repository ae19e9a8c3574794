"""Who sees the console: on by default only for a loopback bind, and only for requests
addressed to a loopback name or an allowed one (a DNS-rebinding page gets nothing)."""

from __future__ import annotations

import pytest

from regctl.console.options import ConsoleOptions, is_loopback


@pytest.mark.parametrize(
    ("host", "on"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_on_by_default_only_on_loopback(host: str, on: bool) -> None:
    assert is_loopback(host) is on


@pytest.mark.parametrize(
    ("header", "allowed", "ok"),
    [
        ("127.0.0.1:8080", (), True),
        ("localhost:8080", (), True),
        ("LOCALHOST", (), True),
        ("[::1]:8080", (), True),
        (None, (), False),
        ("", (), False),
        ("evil.example", (), False),
        ("evil.example:8080", (), False),
        ("localhost.evil.example", (), False),
        ("127.0.0.1.nip.io", (), False),
        ("console.example.com", ("console.example.com",), True),
        ("console.example.com:443", ("console.example.com",), True),
        ("other.example.com", ("console.example.com",), False),
    ],
)
def test_host_header_check(header: str | None, allowed: tuple[str, ...], ok: bool) -> None:
    assert ConsoleOptions(allowed_hosts=frozenset(allowed)).host_allowed(header) is ok
