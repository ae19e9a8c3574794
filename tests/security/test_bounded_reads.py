"""Class 2: bounded reads and bounded time wherever bytes come in (files, FIFOs, devices, HTTP)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from security_helpers import assert_clean_failure, capped_cli, capped_python
from tests.cpuwait import CpuWait
from tests.hostile.peers import HostilePeer

from regctl.client import ManifestNotFound, Registry, SecretFileError
from regctl.client.secrets import resolve_secret
from regctl.deploy.targets import TargetError
from regctl.deploy.targets.file import FileTarget
from regctl.io import safeio
from regctl.pipeline.source import load_registry

# -- files ----------------------------------------------------------------------------


@pytest.fixture
def cpu() -> Iterator[CpuWait]:
    """What this process waits for a CPU during a test (tests/cpuwait.py): a time bound
    adds it, so a busy shared machine does not fail it and a hang (asleep) still does."""
    with CpuWait() as waited:
        yield waited


def test_safeio_refuses_fifo_device_directory_and_caps_while_reading(
    tmp_path: Path, cpu: CpuWait
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "zero"
    link.symlink_to("/dev/zero")
    (tmp_path / "dir").mkdir()
    start = time.monotonic()
    with pytest.raises(safeio.NotRegularFile, match="FIFO"):
        safeio.read_regular(fifo, 100)
    with pytest.raises(safeio.NotRegularFile, match="device"):
        safeio.read_regular(link, 100)
    with pytest.raises(safeio.NotRegularFile, match="directory"):
        safeio.read_regular(tmp_path / "dir", 100)
    with pytest.raises(safeio.NotRegularFile, match="symlink"):
        safeio.read_regular(link, 100, follow_symlinks=False)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(safeio.TooLarge):
        safeio.read_regular(big, 100)
    with pytest.raises(safeio.FileMissing):
        safeio.read_regular(tmp_path / "nope", 100)
    assert safeio.read_regular(big, 101) == b"x" * 101
    assert time.monotonic() - start < 2 + cpu.seconds


def test_registry_fifo_device_and_directory_are_problems(registry: Path, cpu: CpuWait) -> None:
    os.mkfifo(registry / "providers" / "pipe.yaml")
    (registry / "providers" / "zero.yaml").symlink_to("/dev/zero")
    (registry / "providers" / "folder.yaml").mkdir()
    start = time.monotonic()
    problems = {
        p.location.file.rsplit("/", 1)[-1]: p
        for p in load_registry(registry, allow_outside=True).problems
    }
    assert time.monotonic() - start < 5 + cpu.seconds
    assert "FIFO" in problems["pipe.yaml"].message
    assert "device" in problems["zero.yaml"].message
    assert "directory" in problems["folder.yaml"].message
    assert {p.rule for p in problems.values()} == {"yaml-syntax"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_subfolder_is_a_problem(registry: Path) -> None:
    hidden = registry / "providers" / "more"
    hidden.mkdir()
    (hidden / "x.yaml").write_text("apiVersion: regctl/v1\n")
    hidden.chmod(0)
    try:
        problems = load_registry(registry).problems
    finally:
        hidden.chmod(0o755)
    assert any(
        "cannot read folder" in p.message and p.location.file.endswith("more") for p in problems
    )


def test_unreadable_subfolder_reported_even_as_root(registry: Path) -> None:
    # Root reads everything; a folder that vanishes mid-walk (ENOENT via onerror) is the
    # same code path and must be reported, not skipped.
    from regctl.pipeline import source_guard

    found, problems = source_guard.walk(registry / "nope", (".yaml",), str, False)
    assert found == [] and problems and "cannot read folder" in problems[0].message


def test_cli_validate_on_dev_zero_ends_in_bounded_memory(registry: Path) -> None:
    (registry / "providers" / "zero.yaml").symlink_to("/dev/zero")
    proc, took = capped_cli(
        "validate", str(registry), cwd=registry.parent, env={"REGCTL_ALLOW_OUTSIDE_SYMLINKS": "1"}
    )
    assert_clean_failure(proc, 1)
    assert "zero.yaml" in proc.stdout and "device" in proc.stdout
    assert took < 5


def test_secret_file_fifo_and_device_are_clear_errors(tmp_path: Path, cpu: CpuWait) -> None:
    fifo = tmp_path / "key"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(SecretFileError, match="FIFO"):
        resolve_secret(f"file:{fifo}")
    with pytest.raises(SecretFileError, match="device"):
        resolve_secret("file:/dev/zero")
    big = tmp_path / "big"
    big.write_bytes(b"k" * (1 << 20))
    with pytest.raises(SecretFileError, match="limit"):
        resolve_secret(f"file:{big}")
    assert time.monotonic() - start < 2 + cpu.seconds


def test_secret_from_dev_zero_symlink_in_capped_memory(tmp_path: Path) -> None:
    (tmp_path / "key").symlink_to("/dev/zero")
    code = (
        "import sys\nfrom regctl.client.secrets import resolve_secret\n"
        "from regctl.client import SecretFileError\n"
        "try:\n    resolve_secret('file:' + sys.argv[1])\n"
        "except SecretFileError as e:\n    print('refused:', e)\n"
    )
    proc, took = capped_python(code, str(tmp_path / "key"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "refused" in proc.stdout and took < 5


def test_client_manifest_fifo_and_device(tmp_path: Path) -> None:
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)
    with pytest.raises(ManifestNotFound, match="FIFO"):
        Registry.load(fifo)
    link = tmp_path / "z.json"
    link.symlink_to("/dev/zero")
    proc, took = capped_cli("models", "--manifest", str(link), cwd=tmp_path)
    assert_clean_failure(proc, 4)
    assert "device" in proc.stderr and took < 5


def test_file_target_fifo_device_and_history(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(TargetError, match="FIFO"):
        FileTarget(tmp_path / "pipe.json").read()
    target = FileTarget(tmp_path / "m.json")
    target.history_dir.mkdir()
    (target.history_dir / "log.jsonl").symlink_to("/dev/zero")
    with pytest.raises(TargetError, match="device"):
        target.history()
    digest = "sha256:" + "a" * 64
    os.mkfifo(target.history_dir / ("sha256-" + "a" * 64 + ".json"))
    with pytest.raises(TargetError, match="FIFO"):
        target.load_history(digest)


# -- HTTP ----------------------------------------------------------------------------
# Every network surface meets trickling, floods, redirects and wrong shapes in the
# hostile-peer suite (tests/hostile); here, the flood in a memory-capped process.


@pytest.fixture
def flood() -> Iterator[str]:
    peer = HostilePeer("flood")
    yield peer.origin
    peer.close()


def test_client_url_flood_in_capped_memory(flood: str, tmp_path: Path) -> None:
    code = (
        "import sys\nfrom regctl.client import Registry, ManifestError\n"
        "try:\n    Registry.load(sys.argv[1], timeout=4, cache=False)\n"
        "except ManifestError as e:\n    print('refused:', e)\n"
    )
    proc, took = capped_python(code, flood + "/m.json", cwd=tmp_path, cap=512 * 1024**2)
    assert proc.returncode == 0, proc.stderr
    assert "refused" in proc.stdout and took < 5
