"""regctl.io.resp against hostile Redis peers: every reply bounded in size, depth and time,
and no credential in any error; and against a real redis-server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from tests.cpuwait import CpuWait
from tests.failover_fleet import RedisServer, redis_server  # noqa: F401

from regctl.io.resp import MAX_REPLY_BYTES, RedisClient, RedisError, ReplyError, parse_url

Behaviour = Callable[[socket.socket], None]


def _serve(behaviour: Behaviour) -> Iterator[str]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    stop = threading.Event()

    def loop() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            try:
                conn.recv(65536)  # the command
                behaviour(conn)
            except OSError:
                pass
            finally:
                conn.close()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield f"redis://:hunter2@127.0.0.1:{srv.getsockname()[1]}/0"
    finally:
        stop.set()
        t.join()
        srv.close()


def _trickle(conn: socket.socket) -> None:
    for b in b"$100\r\n" + b"x" * 100:
        conn.sendall(bytes([b]))
        time.sleep(0.05)


def _flood(conn: socket.socket) -> None:
    conn.sendall(b"$%d\r\n" % (2 * MAX_REPLY_BYTES))
    chunk = b"x" * 65536
    for _ in range(64):
        conn.sendall(chunk)


def _long_line(conn: socket.socket) -> None:
    conn.sendall(b"+" + b"y" * 100_000)
    time.sleep(0.5)


def _deep(conn: socket.socket) -> None:
    conn.sendall(b"*1\r\n" * 50 + b":1\r\n")


def _wide(conn: socket.socket) -> None:
    conn.sendall(b"*1000000\r\n" + b":1\r\n" * 10)


def _garbage(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")


def _close(conn: socket.socket) -> None:
    pass


def _silent(conn: socket.socket) -> None:
    time.sleep(3)


def _error_in_array(conn: socket.socket) -> None:
    conn.sendall(b"*2\r\n-ERR inner hunter2\r\n:1\r\n")


HOSTILE = {
    "trickle": _trickle, "flood": _flood, "long line": _long_line, "deep": _deep,
    "wide": _wide, "not RESP": _garbage, "closes": _close, "silent": _silent,
    "error inside an array": _error_in_array,
}  # fmt: skip


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_server_is_one_bounded_error(name: str) -> None:
    for url in _serve(HOSTILE[name]):
        client = RedisClient(url, timeout=1.0)
        t0 = time.monotonic()
        with CpuWait() as waited, pytest.raises(RedisError) as err:
            client.call("PING")
        # The total deadline, whatever the server does (plus what a busy machine made
        # this process wait for a CPU: tests/cpuwait.py).
        took = time.monotonic() - t0
        assert took < 2.5 + waited.seconds, (took, waited.seconds)
        text = str(err.value)
        assert "hunter2" not in text and "\n" not in text
        assert text.startswith("redis redis://127.0.0.1:")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379", "redis://", "redis://h:99999/0", "redis://h/abc",
        "redis://h/0?password=x",
        "redis://a b/0",
        # Forms two parsers read differently: the one URL parser (io.urls) refuses them.
        "redis://localhost\\@127.0.0.2:6379/0", "redis://a:password@b@127.0.0.2/0",
        "redis://0x7f.0.0.1:6379/0", "redis://127.1/0", "redis://h/0#frag",
        "redis://h%2e:6379/0",
    ],
)  # fmt: skip
def test_bad_urls_are_refused_without_their_secrets(url: str) -> None:
    with pytest.raises(RedisError) as err:
        parse_url(url)
    assert "password" not in str(err.value) and "%5C" not in str(err.value)


def test_url_parts() -> None:
    t = parse_url("rediss://app:p%40ss@cache.internal:6380/3")
    assert (t.host, t.port, t.db, t.tls, t.username, t.password) == (
        "cache.internal", 6380, 3, True, "app", "p@ss")  # fmt: skip
    assert str(t) == repr(t) == "rediss://cache.internal:6380/3"
    # The host that connects is the host parsed: what precedes @ is only a user name.
    t = parse_url("redis://127.0.0.1%3A6379%5C@localhost/0")
    assert (t.host, t.port, t.username) == ("localhost", 6379, "127.0.0.1:6379\\")


def test_real_redis(redis_server: RedisServer) -> None:  # noqa: F811
    client = RedisClient(redis_server.url)
    assert client.call("PING") == b"PONG"
    assert client.call("SET", "regctl:test", "v", "PX", 10_000) == b"OK"
    assert client.call("GET", "regctl:test") == b"v"
    assert client.call("INCRBY", "regctl:n", 5) == 5
    with pytest.raises(ReplyError) as err:
        client.call("NOSUCHCOMMAND")
    assert err.value.code == "ERR"
    assert client.call("PING") == b"PONG"  # the connection survived the error reply
    client.close()
