"""The fleet targets (S3, etcd) against real servers: one contract, every store.

Each test runs once per store kind: a versioned S3 bucket, an unversioned one
(history under ``KEY.history/``) and etcd. SeaweedFS and etcd run on loopback
ports, started by session fixtures in ``tests/fleet.py``; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_fixtures import SECRET, build_manifest, cli_env, regctl, switch_active
from tests.fleet import Server, etcd, make_bucket, s3_env, seaweed

from regctl.base.canonical import dumps_pretty
from regctl.deploy.targets import Target, TargetChanged, open_target

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"
KINDS = ["s3-versioned", "s3-plain", "etcd"]


@dataclass
class Store:
    kind: str
    uri: str
    env: dict[str, str]

    def open(self) -> Target:
        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            return open_target(self.uri, Path.cwd())
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def cli(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return regctl(*args, cwd=cwd, **self.env)


_counter = iter(range(10**6))


def _store(kind: str, server: Server) -> Store:
    n = next(_counter)
    if kind.startswith("s3"):
        bucket = make_bucket(server.url, versioned=kind == "s3-versioned")
        return Store(kind, f"s3://{bucket}/regctl/prod/manifest.lock.json", s3_env(server.url))
    host = server.url.split("://", 1)[1]
    return Store(kind, f"etcd://{host}/regctl/test{n}/prod", {})


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest) -> Store:
    server = request.getfixturevalue(
        "s3_server" if request.param.startswith("s3") else "etcd_server"
    )
    return _store(request.param, server)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "registry")
    return root


def _clean(proc: subprocess.CompletedProcess[str]) -> str:
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and SECRET not in out
    assert "regctl-test-secret" not in out  # the AWS secret key never shows
    return out


def _switch_openai_chat(repo: Path) -> None:
    path = repo / "registry" / "providers" / "openai.yaml"
    text = path.read_text()
    flagship = "  - id: gpt-4o\n    display_name: GPT-4o\n    capabilities: [chat, vision]\n"
    mini = "  - id: gpt-4o-mini\n    display_name: GPT-4o mini\n    capabilities: [chat, vision]\n"
    assert flagship + "    active: true\n" in text and mini in text
    text = text.replace(flagship + "    active: true\n", flagship + "    active: [vision]\n")
    path.write_text(text.replace(mini, mini + "    active: [chat]\n"))


def test_plan_apply_change_rollback_drift(store: Store, repo: Path, tmp_path: Path) -> None:
    reg = str(repo / "registry")
    args = ("--env", "prod", "--target", store.uri)
    first = store.cli("plan", reg, *args, "--detailed-exitcode", cwd=tmp_path)
    assert first.returncode == 2, _clean(first)
    applied = store.cli("apply", reg, *args, "--auto-approve", cwd=tmp_path)
    assert applied.returncode == 0, _clean(applied)
    v1 = store.open().read()
    assert v1.digest_ok and f"Applied {v1.digest} to {store.uri}" in applied.stdout
    again = store.cli("plan", reg, *args, "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0 and "No changes" in again.stdout, _clean(again)

    _switch_openai_chat(repo)
    plan_file = tmp_path / "plan.json"
    planned = store.cli("plan", reg, *args, "-o", str(plan_file), cwd=tmp_path)
    assert "~ openai chat: gpt-4o -> gpt-4o-mini" in planned.stdout, _clean(planned)
    saved = store.cli("apply", str(plan_file), cwd=tmp_path)
    assert saved.returncode == 0, _clean(saved)
    v2 = store.open().read()
    assert v2.digest == json.loads(plan_file.read_text())["digest"] != v1.digest

    listed = store.cli("rollback", reg, *args, "--list", cwd=tmp_path)
    assert v1.digest in listed.stdout and f"{v2.digest}  (deployed)" in listed.stdout, listed
    back = store.cli("rollback", reg, *args, "--auto-approve", cwd=tmp_path)
    assert back.returncode == 0, _clean(back)
    assert "~ openai chat: gpt-4o-mini -> gpt-4o" in back.stdout
    assert store.open().read().raw == v1.raw  # the very bytes deployed first

    # A manifest edited by hand (its digest no longer matches) is drift.
    target = store.open()
    now = target.read()
    doc = json.loads(now.raw or b"")
    doc["defaults"]["chat"] = "xai"
    target.write(dumps_pretty(doc), doc["digest"], expected=now)
    drift = store.cli("plan", reg, *args, cwd=tmp_path)
    assert "warning: drift: the deployed manifest was edited by hand" in drift.stdout, drift


def test_stale_expected_state_is_refused(store: Store) -> None:
    one = build_manifest()
    two = switch_active(one)
    target = store.open()
    empty = target.read()
    assert not empty.exists and target.history() == []
    target.write(dumps_pretty(one), one["digest"], expected=empty)
    # A second writer that also saw the empty target must lose (If-None-Match / create-only).
    with pytest.raises(TargetChanged, match="changed since plan"):
        target.write(dumps_pretty(two), two["digest"], expected=empty)
    seen = target.read()
    other = store.open()
    other.write(dumps_pretty(two), two["digest"], expected=seen)
    with pytest.raises(TargetChanged, match="changed since plan"):
        target.write(dumps_pretty(one), one["digest"], expected=seen)
    assert target.read().digest == two["digest"]
    assert [e.digest for e in target.history()][-2:] == [one["digest"], two["digest"]]
    assert {one["digest"], two["digest"]} <= target.history_digests()
    assert json.loads(target.load_history(one["digest"]))["digest"] == one["digest"]


def test_modelsdev_manifest_round_trips(
    store: Store, modelsdev_registry: Path, tmp_path: Path
) -> None:
    args = ("--target", store.uri, "--auto-approve")
    applied = store.cli("apply", str(modelsdev_registry), *args, cwd=tmp_path)
    assert applied.returncode == 0, _clean(applied)
    lock = tmp_path / "md.lock.json"
    compiled = store.cli("compile", str(modelsdev_registry), "-o", str(lock), cwd=tmp_path)
    assert compiled.returncode == 0, _clean(compiled)
    deployed = store.open().read()
    assert deployed.raw == lock.read_bytes()  # byte for byte, whatever the store does inside
    assert len(deployed.raw or b"") > 3_000_000 and deployed.digest_ok
    assert len(json.loads(deployed.raw or b"")["models"]) > 4000


_RACER = """
import os, sys, time
from pathlib import Path
from regctl.deploy.targets import open_target, TargetError
uri, text_path, go = sys.argv[1:4]
text = Path(text_path).read_text()
import json
digest = json.loads(text)["digest"]
target = open_target(uri, Path.cwd())
seen = target.read()
Path(go + "." + str(os.getpid())).write_text("ready")
while not Path(go).exists():
    time.sleep(0.005)
try:
    target.write(text, digest, expected=seen)
except TargetError as exc:
    print("LOST", exc)
    sys.exit(1)
print("WON", digest)
"""


def test_two_concurrent_applies_exactly_one_wins(store: Store, tmp_path: Path) -> None:
    """Two processes read the same state, then write at once: CAS lets exactly one through."""
    base = build_manifest()
    target = store.open()
    target.write(dumps_pretty(base), base["digest"], expected=target.read())
    go = tmp_path / "go"
    texts = []
    for i in range(2):
        doc = build_manifest(extra_models=i + 1)
        texts.append(tmp_path / f"m{i}.json")
        texts[-1].write_text(dumps_pretty(doc))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, store.uri, str(t), str(go)],
            env=cli_env(**store.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for t in texts
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.write_text("go")
    results = [(p.wait(60), p.stdout.read() + p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    outcomes = sorted(out.split()[0] for _, out in results)
    assert outcomes == ["LOST", "WON"], results
    loser = next(out for code, out in results if code == 1)
    assert "changed since plan" in loser and "Traceback" not in loser
    winner = next(out for code, out in results if code == 0).split()[1]
    assert store.open().read().digest == winner


@pytest.fixture
def own_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Server]]:
    """A server of the test's own, so it can be killed and restarted."""
    kind = request.param
    from tests.conftest import require_binary

    if kind.startswith("s3"):
        server = seaweed(require_binary("weed"), tmp_path / "weed")
    else:
        server = etcd(require_binary("etcd"), tmp_path / "etcd")
    server.start()
    yield kind, server
    server.stop()


def _readable(store: Store) -> bool:
    from regctl.deploy.targets import TargetError

    try:
        store.open().read()
    except TargetError:
        return False
    return True


def _wait(cond: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("own_server", KINDS[1:], indirect=True)
def test_server_killed_mid_apply_leaves_old_or_new(
    own_server: tuple[str, Server], modelsdev_registry: Path, repo: Path, tmp_path: Path
) -> None:
    kind, server = own_server
    store = _store(kind, server)
    first = store.cli(
        "apply", str(repo / "registry"), "--target", store.uri, "--auto-approve", cwd=tmp_path
    )
    assert first.returncode == 0, _clean(first)
    old = store.open().read().digest
    # Apply the multi-MB models.dev manifest; SIGKILL the server once the plan is printed
    # (apply writes right after printing it).
    log = tmp_path / "apply.out"
    with open(log, "w") as out_fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "regctl", "apply", str(modelsdev_registry), "--target",
             store.uri, "--auto-approve"],
            cwd=tmp_path, env=cli_env(**store.env), stdout=out_fh, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        _wait(lambda: log.stat().st_size > 0 or proc.poll() is not None, timeout=120)
        server.kill()
        proc.wait(120)
    err = log.read_text()
    assert "Traceback" not in err
    server.start()
    # A restarted SeaweedFS answers 500 until its volume server has re-registered.
    _wait(lambda: _readable(store), timeout=90)
    after = store.open().read()
    assert after.digest_ok and (after.digest == old or proc.returncode == 0), err[-500:]
    again = store.cli(
        "apply", str(modelsdev_registry), "--target", store.uri, "--auto-approve", cwd=tmp_path
    )
    assert again.returncode == 0, _clean(again)
    final = store.open().read()
    assert final.digest_ok and final.digest != old


def test_etcd_request_limit_is_named(modelsdev_registry: Path, tmp_path: Path) -> None:
    """An etcd whose --max-request-bytes cannot take a chunk: one clear line, nothing swapped."""
    from tests.conftest import require_binary

    server = etcd(require_binary("etcd"), tmp_path / "etcd", "--max-request-bytes", "65536")
    server.start()
    try:
        store = _store("etcd", server)
        proc = store.cli(
            "apply", str(modelsdev_registry), "--target", store.uri, "--auto-approve", cwd=tmp_path
        )
        assert proc.returncode == 1, _clean(proc)
        line = proc.stderr.strip()
        assert "\n" not in line and "--max-request-bytes" in line
        assert "gzip-compressed" in line and "bytes" in line
        assert not store.open().read().exists
    finally:
        server.stop()
