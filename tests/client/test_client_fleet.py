"""The client on fleet stores: etcd watch stream, S3 objects, a mounted ConfigMap's ..data swap.

Real etcd and SeaweedFS servers (session fixtures in ``tests/fleet.py``); the
ConfigMap volume is reproduced exactly as kubelet lays it out and swaps it.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from client_fixtures import base_doc, manifest_text
from tests.cpuwait import CpuWait
from tests.fleet import Server, etcd, kubelet_write, make_bucket, s3_env

from regctl.base.canonical import compute_digest
from regctl.client import ManifestError, Registry
from regctl.deploy.targets import open_target


def _version(i: int) -> str:
    body = base_doc()
    body["registry"]["name"] = f"fleet-v{i}"
    return manifest_text(body)


def _digest(text: str) -> str:
    return compute_digest(json.loads(text))


def _deploy(uri: str, text: str) -> None:
    target = open_target(uri, Path.cwd())
    target.write(text, _digest(text), expected=target.read())


def _wait_for(cond: Callable[[], bool], timeout: float) -> float:
    start = time.monotonic()
    while not cond():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.005)
    return time.monotonic() - start


def _delivered(cond: Callable[[], bool], *pids: int) -> tuple[float, float]:
    """Seconds until ``cond`` holds, and what this process and ``pids`` waited for a CPU
    meanwhile (tests/cpuwait.py): a delivery bound adds it, so a busy shared machine
    does not fail it and a change that never comes (or comes by a slow poll) still does."""
    with CpuWait(*pids) as waited:
        took = _wait_for(cond, timeout=30)
    return took, waited.seconds


def _pid(server: Server) -> int:
    assert server.proc is not None
    return server.proc.pid


_keys = iter(range(10**6))


def _etcd_uri(server: Server) -> str:
    return f"etcd://{server.url.split('://', 1)[1]}/regctl/client{os.getpid()}-{next(_keys)}"


def test_etcd_watch_stream_delivers_changes_at_once(etcd_server: Server, tmp_path: Path) -> None:
    uri = _etcd_uri(etcd_server)
    _deploy(uri, _version(0))
    changes: list[str] = []
    # A 60 s poll interval: only the watch stream can deliver the change this fast.
    with Registry.watch(
        uri, interval=60, cache=tmp_path / "lkg.json", on_change=lambda r: changes.append(r.digest)
    ) as reg:
        assert reg.digest == _digest(_version(0))
        time.sleep(0.3)  # let the stream connect
        for i in (1, 2, 3):
            _deploy(uri, _version(i))
            took, waited = _delivered(
                lambda i=i: reg.digest == _digest(_version(i)), _pid(etcd_server)
            )
            # The bench measures the real figure (tens of ms).
            assert took < 2.0 + waited, (took, waited)
    assert changes == [_digest(_version(i)) for i in (1, 2, 3)]


def test_etcd_load_and_refusal_of_a_hand_written_key(etcd_server: Server, tmp_path: Path) -> None:
    uri = _etcd_uri(etcd_server)
    with pytest.raises(ManifestError, match="not found"):
        Registry.load(uri, cache=False)
    _deploy(uri, _version(5))
    assert Registry.load(uri, cache=False).digest == _digest(_version(5))
    # A value put by hand (not regctl's pointer, not a manifest) fails closed.
    import base64
    import urllib.request

    key = "/" + uri.split("/", 3)[3]
    body = {
        "key": base64.b64encode(key.encode()).decode(),
        "value": base64.b64encode(b"{}").decode(),
    }
    req = urllib.request.Request(
        etcd_server.url + "/v3/kv/put", data=json.dumps(body).encode(), method="POST"
    )
    urllib.request.urlopen(req, timeout=5).close()
    with pytest.raises(ManifestError):
        Registry.load(uri, cache=False)


def test_etcd_readers_keep_last_good_while_down(tmp_path: Path) -> None:
    from tests.conftest import require_binary

    server = etcd(require_binary("etcd"), tmp_path / "etcd")
    server.start()
    try:
        uri = _etcd_uri(server)
        _deploy(uri, _version(0))
        errors: list[ManifestError] = []
        with Registry.watch(
            uri, interval=0.5, cache=tmp_path / "lkg.json", on_error=lambda r, e: errors.append(e)
        ) as reg:
            time.sleep(0.3)
            server.kill()
            # Stream broken, polls fail: the last good manifest serves (waited for, not
            # slept for: on a busy machine the watcher may take seconds to notice).
            _wait_for(lambda: reg.stale is not None, timeout=30)
            assert reg.digest == _digest(_version(0))
            assert reg.models()  # still answering lookups
            server.start()
            _deploy(uri, _version(1))
            _wait_for(lambda: reg.digest == _digest(_version(1)), timeout=30)
            assert reg.stale is None
            # Back on the stream (or, until it reconnects, polling every 0.5 s): the next
            # change arrives at once again.
            time.sleep(1.0)
            _deploy(uri, _version(2))
            took, waited = _delivered(lambda: reg.digest == _digest(_version(2)), _pid(server))
            assert took < 2.0 + waited, (took, waited)
    finally:
        server.stop()


def test_etcd_modelsdev_manifest_loads(etcd_server: Server, modelsdev_lock: str) -> None:
    uri = _etcd_uri(etcd_server)
    _deploy(uri, modelsdev_lock)
    reg = Registry.load(uri, cache=False)
    assert reg.digest == _digest(modelsdev_lock) and len(reg.models()) > 4000


@pytest.fixture
def s3_uri(s3_server: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    for k, v in s3_env(s3_server.url).items():
        monkeypatch.setenv(k, v)
    return f"s3://{make_bucket(s3_server.url, versioned=False)}/prod/manifest.lock.json"


def test_s3_load_and_watch(s3_uri: str, s3_server: Server, tmp_path: Path) -> None:
    _deploy(s3_uri, _version(0))
    with Registry.watch(s3_uri, interval=0.2, cache=tmp_path / "lkg.json") as reg:
        assert reg.digest == _digest(_version(0))
        _deploy(s3_uri, _version(1))
        took, waited = _delivered(lambda: reg.digest == _digest(_version(1)), _pid(s3_server))
        assert took < 0.2 + 2.0 + waited, (took, waited)


def test_s3_modelsdev_manifest_loads(s3_uri: str, modelsdev_lock: str) -> None:
    _deploy(s3_uri, modelsdev_lock)
    reg = Registry.load(s3_uri, cache=False)
    assert reg.digest == _digest(modelsdev_lock) and len(reg.models()) > 4000


# -- a mounted ConfigMap, exactly as kubelet writes and swaps it --------------------------
@pytest.mark.parametrize("binary", [False, True], ids=["data", "binaryData-gzip"])
def test_configmap_volume_swap_is_followed(tmp_path: Path, binary: bool) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    name = "manifest.lock.json.gz" if binary else "manifest.lock.json"

    def files(i: int) -> dict[str, bytes]:
        raw = _version(i).encode()
        return {name: gzip.compress(raw, mtime=0) if binary else raw}

    kubelet_write(volume, files(0), "2026_11_23_10_00_00.123456789")
    assert os.readlink(volume / name) == f"..data/{name}"
    with Registry.watch(volume / name, interval=0.1) as reg:
        assert reg.digest == _digest(_version(0))
        kubelet_write(volume, files(1), "2026_11_23_10_01_00.987654321")
        took, waited = _delivered(lambda: reg.digest == _digest(_version(1)))
        assert took < 0.1 + 2.0 + waited, (took, waited)
        assert reg.last_error is None
        assert sorted(p.name for p in volume.iterdir()) == sorted(
            ["..2026_11_23_10_01_00.987654321", "..data", name]
        )
