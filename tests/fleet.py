"""Real fleet stores for tests and benchmarks: SeaweedFS (S3) and etcd on free loopback ports.

Also finds the models.dev corpus and turns it into a registry, so every target is
tested with a several-MB manifest and not only the small example registry.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import require_binary

ROOT = Path(__file__).resolve().parent.parent


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports that were free on 127.0.0.1 a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Server:
    """A server subprocess in its own session, started and checked for readiness."""

    def __init__(self, argv: list[str], url: str, ready_path: str, log: Path) -> None:
        self.argv, self.url, self.ready_path, self.log = argv, url, ready_path, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        with open(self.log, "ab") as fh:
            self.proc = subprocess.Popen(
                self.argv, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited: {self.log.read_text()[-2000:]}")
            if self.ready():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"{self.argv[0]} not ready in {timeout}s: {self.log.read_text()[-2000:]}"
        )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as resp:
                return bool(resp.status < 500)
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        self.stop(signal.SIGKILL)


def seaweed(binary: str, workdir: Path) -> Server:
    """``weed server`` with S3 on; every listening port is a free loopback port."""
    names = [
        "s3.port", "s3.port.grpc", "master.port", "master.port.grpc", "volume.port",
        "volume.port.grpc", "filer.port", "filer.port.grpc", "metricsPort", "iam.port",
        "s3.port.iceberg", "s3.port.lance", "mq.agent.port", "mq.broker.port",
    ]  # fmt: skip
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        binary, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
        "-master.volumeSizeLimitMB=64", "-volume.max=0",
    ]  # fmt: skip
    argv += [f"-{k}={v}" for k, v in ports.items()]
    return Server(argv, f"http://127.0.0.1:{ports['s3.port']}", "/", workdir / "weed.log")


def etcd(binary: str, workdir: Path, *extra: str) -> Server:
    """A one-member etcd cluster on free loopback ports."""
    client, peer = free_ports(2)
    url = f"http://127.0.0.1:{client}"
    argv = [
        binary, "--data-dir", str(workdir / "data"), "--name", "regctl-test",
        "--listen-client-urls", url, "--advertise-client-urls", url,
        "--listen-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
        "--initial-cluster", f"regctl-test=http://127.0.0.1:{peer}",
        "--log-level", "warn", *extra,
    ]  # fmt: skip
    workdir.mkdir(parents=True, exist_ok=True)
    return Server(argv, url, "/health", workdir / "etcd.log")


def s3_env(endpoint: str) -> dict[str, str]:
    """AWS chain settings for SeaweedFS (it accepts any key when no identities are set)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "regctl-test",
        "AWS_SECRET_ACCESS_KEY": "regctl-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def modelsdev_corpus() -> Path | None:
    """The models.dev corpus: ``$REGCTL_MODELSDEV_CORPUS``, else ``shared/corpus/models.dev``
    beside the repository (or beside a folder holding it, for worktrees)."""
    env = os.environ.get("REGCTL_MODELSDEV_CORPUS")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in ROOT.parents:
        candidate = parent / "shared" / "corpus" / "models.dev"
        if candidate.is_dir():
            return candidate
    return None


def import_modelsdev(out: Path) -> Path:
    """``regctl import modelsdev CORPUS -o OUT`` as a user runs it; returns the registry."""
    corpus = modelsdev_corpus()
    if corpus is None:
        raise FileNotFoundError("models.dev corpus not found (set REGCTL_MODELSDEV_CORPUS)")
    proc = subprocess.run(
        [sys.executable, "-m", "regctl", "import", "modelsdev", str(corpus), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"import modelsdev failed: {proc.stderr[-2000:]}")
    return out


# -- pytest fixtures (imported by the conftest.py files that need them) -------------------
_names = itertools.count()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One SeaweedFS server (S3 API) for the session."""
    server = seaweed(require_binary("weed"), tmp_path_factory.mktemp("weed"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def etcd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One etcd member for the session."""
    server = etcd(require_binary("etcd"), tmp_path_factory.mktemp("etcd"))
    server.start()
    yield server
    server.stop()


def make_bucket(endpoint: str, *, versioned: bool) -> str:
    """A new bucket on ``endpoint`` (versioning on or off); returns its name."""
    import boto3

    env = s3_env(endpoint)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    name = f"regctl-{os.getpid()}-{next(_names)}"
    client.create_bucket(Bucket=name)
    if versioned:
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture(scope="session")
def modelsdev_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The models.dev corpus imported with ``regctl import modelsdev`` (a ~3.5 MB manifest)."""
    if modelsdev_corpus() is None:
        message = "models.dev corpus not found (set REGCTL_MODELSDEV_CORPUS)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return import_modelsdev(tmp_path_factory.mktemp("modelsdev") / "registry")


def kubelet_write(volume: Path, files: dict[str, bytes], stamp: str) -> None:
    """One update of a mounted ConfigMap exactly as kubelet's atomic writer does it:
    a new ``..<timestamp>`` folder, a ``..data_tmp`` symlink to it renamed over ``..data``,
    user-visible names linking through ``..data``, then the old folder removed."""
    new_dir = volume / f"..{stamp}"
    new_dir.mkdir()
    for name, data in files.items():
        (new_dir / name).write_bytes(data)
    old = os.readlink(volume / "..data") if (volume / "..data").is_symlink() else None
    tmp = volume / "..data_tmp"
    os.symlink(new_dir.name, tmp)
    os.rename(tmp, volume / "..data")
    for name in files:
        link = volume / name
        if not link.is_symlink():
            os.symlink(f"..data/{name}", link)
    if old is not None:
        for p in (volume / old).iterdir():
            p.unlink()
        (volume / old).rmdir()
