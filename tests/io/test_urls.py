"""The one URL parser: what it accepts, what it refuses, and why (a table)."""

from __future__ import annotations

import pytest

from regctl.io import urls

ACCEPTED = [
    ("http://localhost", ("http", "localhost", 80, "/")),
    ("https://Config.Example.COM/x?y=1", ("https", "config.example.com", 443, "/x?y=1")),
    ("http://127.0.0.1:9000/a%20b", ("http", "127.0.0.1", 9000, "/a%20b")),
    ("http://[::1]:8080/", ("http", "::1", 8080, "/")),
    ("http://[::ffff:127.0.0.1]/", ("http", "::ffff:7f00:1", 80, "/")),
    ("https://host_name.internal:8443", ("https", "host_name.internal", 8443, "/")),
    ("http://localhost./m", ("http", "localhost.", 80, "/m")),
]

REFUSED = [
    ("http://127.0.0.1%3A9000%5C@localhost", "user info"),
    ("https://attacker%5C@allowed.host", "user info"),
    ("http://a\\@b/", "backslash"),
    ("http://localhost#@evil/", "fragment"),
    ("http://a b/", "space"),
    ("http://a\tb/", "control character"),
    ("http://é.example/", "non-ASCII"),
    ("http://0x7f.1/", "canonical IPv4"),
    ("http://127.1/", "canonical IPv4"),
    ("http://2130706433/", "canonical IPv4"),
    ("http://01.2.3.4/", "canonical IPv4"),
    ("http://h:/", "port"),
    ("http://h:0/", "port"),
    ("http://h:65536/", "port"),
    ("http://h:+80/", "port"),
    ("http://[::1/", "closing"),
    ("http://[fe80::1%25eth0]/", "IPv6"),
    ("http://h%2Eevil/", "percent escape"),
    ("http://h/%zz", "bad percent escape"),
    ("ftp://h/", "scheme"),
    ("//h/", "absolute"),
    ("http://", "no host"),
    ("http://-h-/", "DNS name"),
    ("http://" + "a" * 64 + ".com/", "DNS name"),
]


@pytest.mark.parametrize(("url", "want"), ACCEPTED)
def test_accepted(url: str, want: tuple[str, str, int, str]) -> None:
    ep = urls.parse(url)
    assert (ep.scheme, ep.host, ep.port, ep.target) == want
    assert urls.parse(ep.url) == ep  # the rebuilt URL parses to the same endpoint


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refused_with_a_reason_that_does_not_repeat_the_url(url: str, reason: str) -> None:
    with pytest.raises(urls.BadUrl, match=reason) as err:
        urls.parse(url)
    assert url not in str(err.value) and "\n" not in str(err.value)


def test_user_info_where_allowed_is_parsed_and_never_part_of_the_origin() -> None:
    ep = urls.parse("https://user:pw@host:8443/m?token=x", allow_userinfo=True)
    assert ep.has_userinfo and ep.origin == "https://host:8443"
    assert "pw" not in ep.url and ep.shown == "https://host:8443/m?…"
    with pytest.raises(urls.BadUrl, match="ambiguous"):
        urls.parse("http://a@b@c/", allow_userinfo=True)


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("redis://h:6379/0", (None, None)),
        ("redis://:p%40ss@h/0", (None, "p@ss")),
        ("redis://app:@h/0", ("app", "")),
        ("redis://app@h/0", ("app", None)),
        ("rediss://app:p%3Aw@h:6380/3?x", ("app", "p:w")),
        # What precedes @ is credentials only; the host is the Endpoint's.
        ("redis://127.0.0.2%3A6379%5C@localhost/0", ("127.0.0.2:6379\\", None)),
    ],
)  # fmt: skip
def test_userinfo_gives_the_credentials_of_an_accepted_url(
    url: str, want: tuple[str | None, str | None]
) -> None:
    ep = urls.parse(url, schemes=("redis", "rediss"), allow_userinfo=True)
    assert urls.userinfo(url) == want
    assert ep.host in ("h", "localhost")


def test_loopback() -> None:
    assert all(urls.is_loopback(h) for h in ("localhost", "LOCALHOST.", "127.0.0.2", "::1"))
    assert urls.is_loopback("::ffff:127.0.0.1")
    assert not any(urls.is_loopback(h) for h in ("10.0.0.1", "localhost.evil", "::ffff:10.0.0.1"))


def test_store_uris() -> None:
    got = urls.parse_store("s3://bucket/a/b.json?endpoint=http://h:9&region=eu-west-1", ("s3",))
    assert (got.authority, got.path) == ("bucket", "a/b.json")
    assert got.options == {"endpoint": "http://h:9", "region": "eu-west-1"}
    with pytest.raises(urls.BadUrl, match="fragment"):
        urls.parse_store("s3://b/k#x", ("s3",))
