"""A gzip bomb (2 GiB of zeros in ~2 MB) in a manifest source fails cleanly, in bounded memory."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pytest
from tests.security.security_helpers import GIB, capped_python

from regctl.client import _etcd
from regctl.client._fetch import MAX_MANIFEST_BYTES
from regctl.io.gz import TooLargeGzip, gunzip_bounded

INFLATED = 2 * GIB


def _bomb(path: Path) -> Path:
    """Write a gzip member inflating to ``INFLATED`` zero bytes, streaming (never 2 GiB here)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(16 * 1024 * 1024)
    with path.open("wb") as fh:
        for _ in range(INFLATED // len(block)):
            fh.write(z.compress(block))
        fh.write(z.flush())
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bomb(tmp_path_factory.mktemp("bomb") / "manifest.lock.json.gz")


LOAD = """
import sys
from regctl.client import Registry, ManifestError
try:
    Registry.load(sys.argv[1])
except ManifestError as exc:
    print("refused:", exc)
"""

UNBOUNDED = """
import gzip, sys
gzip.decompress(open(sys.argv[1], "rb").read())
"""


def test_client_refuses_a_gzip_bomb_within_a_memory_cap(bomb: Path, tmp_path: Path) -> None:
    assert bomb.stat().st_size < 4 * 1024 * 1024
    proc, _ = capped_python(LOAD, str(bomb), cwd=tmp_path, cap=GIB)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "refused:" in proc.stdout and "more than" in proc.stdout, proc.stdout
    assert "MemoryError" not in proc.stderr + proc.stdout
    # The same cap kills plain gzip.decompress: the cap is what the bound is measured against.
    plain, _ = capped_python(UNBOUNDED, str(bomb), cwd=tmp_path, cap=GIB)
    assert plain.returncode != 0 and "MemoryError" in plain.stderr, plain.stderr[-500:]


def test_etcd_chunks_that_inflate_past_the_cap_are_a_layout_error(bomb: Path) -> None:
    data = bomb.read_bytes()
    answer = {
        "kvs": [{"key": _etcd.b64("m/chunks/0000"), "value": base64.b64encode(data).decode()}]
    }
    kvs = _etcd.kvs_of(answer)
    pointer = {"regctl": 1, "digest": "sha256:" + "0" * 64, "chunks": 1, "size": 2, "sha256": ""}
    with pytest.raises(_etcd.EtcdLayoutError, match="more than"):
        _etcd.assemble(pointer, kvs, MAX_MANIFEST_BYTES)
    with pytest.raises(_etcd.EtcdLayoutError, match="more than"):
        _etcd.unpack_unchecked(kvs, MAX_MANIFEST_BYTES)


def test_bounded_gunzip_keeps_ordinary_data_and_multi_member_files() -> None:
    import gzip

    assert gunzip_bounded(gzip.compress(b"ab") + gzip.compress(b"cd"), limit=4) == b"abcd"
    with pytest.raises(TooLargeGzip):
        gunzip_bounded(gzip.compress(b"abcde"), limit=4)
    with pytest.raises(EOFError):
        gunzip_bounded(gzip.compress(b"abcdef" * 100)[:-12], limit=10_000)
