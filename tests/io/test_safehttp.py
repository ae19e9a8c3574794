"""safehttp's redirect rules: credentials never follow to another origin; no downgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.cpuwait import CpuWait
from tests.hostile.peers import HostilePeer

from regctl.io import safehttp, urls


@pytest.fixture
def other_host() -> Iterator[HostilePeer]:
    peer = HostilePeer("redirect-other-host")
    yield peer
    peer.close()


def test_credentials_are_dropped_on_a_redirect_to_another_origin(other_host: HostilePeer) -> None:
    resp = safehttp.request(
        "GET",
        other_host.origin + "/m.json",
        headers={"Authorization": "Bearer tok-Zq81", "Cookie": "s=1", "X-Keep": "yes"},
        follow_redirects=True,
        timeout=5,
    )
    assert resp.status == 404 and resp.url.startswith(other_host.elsewhere)
    (arrived,) = other_host.elsewhere_seen
    assert b"tok-Zq81" not in arrived and b"s=1" not in arrived
    assert b"x-keep: yes" in arrived.lower()  # only credential headers are dropped


def test_https_to_http_redirect_is_refused() -> None:
    current = urls.parse("https://example.com/m.json")
    with pytest.raises(safehttp.BadRedirect, match="plain http"):
        safehttp._redirect(current, "http://example.com/m.json", shown=current.shown)
    same = safehttp._redirect(current, "/other?x=1", shown=current.shown)
    assert same.url == "https://example.com/other?x=1"
    rel = safehttp._redirect(urls.parse("https://e.com/a/b"), "c", shown="")
    assert rel.url == "https://e.com/a/c"


def test_one_deadline_for_several_exchanges() -> None:
    import time

    peer = HostilePeer("silent")
    try:
        deadline = time.monotonic() + 0.5
        start = time.monotonic()
        with CpuWait() as waited:  # a busy machine's share of the time (tests/cpuwait.py)
            for _ in range(3):
                with pytest.raises(safehttp.Timeout):
                    safehttp.request("GET", peer.origin, timeout=10, deadline=deadline)
        # The shared deadline, not 3 x 10 s.
        assert time.monotonic() - start < 1.5 + waited.seconds
    finally:
        peer.close()
