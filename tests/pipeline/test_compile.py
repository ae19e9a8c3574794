"""The compiler: canonical, reproducible, sealed manifests with references only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, run_cli

from regctl.pipeline.compile import compile_registry, is_stale, write_lock

AS_OF = dt.date(2026, 11, 23)


def _copy_shuffled(src: Path, dst: Path, seed: int) -> None:
    """Copy the registry file by file in a random order, into renamed sub-folders."""
    files = sorted(p for p in src.rglob("*") if p.is_file())
    random.Random(seed).shuffle(files)
    for f in files:
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


@pytest.mark.parametrize("env", [None, "dev", "prod"])
def test_same_registry_same_bytes_whatever_the_order_or_folder(
    tmp_path: Path, env: str | None
) -> None:
    a, b = tmp_path / "one", tmp_path / "deeper" / "two"
    _copy_shuffled(EXAMPLE, a, seed=1)
    _copy_shuffled(EXAMPLE, b, seed=2)
    first = compile_registry(a, env=env, as_of=AS_OF)
    again = compile_registry(a, env=env, as_of=AS_OF)
    moved = compile_registry(b, env=env, as_of=AS_OF)
    assert first.ok, first.problems
    assert first.text == again.text == moved.text


def test_cli_output_is_identical_under_another_locale_and_clock(tmp_path: Path) -> None:
    _copy_shuffled(EXAMPLE, tmp_path / "reg", seed=3)
    out1 = run_cli("compile", str(tmp_path / "reg"), "--env", "prod")
    out2 = run_cli(
        "compile",
        "reg",
        "--env",
        "prod",
        cwd=tmp_path,
        env={"LC_ALL": "C", "LANG": "C", "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "123"},
    )
    assert out1.returncode == 0, out1.stderr
    assert out1.stdout == out2.stdout


def test_digest_is_sha256_of_the_compact_body(tmp_path: Path) -> None:
    result = compile_registry(EXAMPLE, env="prod", as_of=AS_OF)
    doc = json.loads(result.text)
    # the digest covers the content: everything but itself and `source` (provenance)
    body = {k: v for k, v in doc.items() if k not in ("digest", "source")}
    compact = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert doc["digest"] == "sha256:" + hashlib.sha256(compact.encode()).hexdigest()
    # file form: two-space indent, sorted keys, trailing newline
    assert result.text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_manifest_content(tmp_path: Path) -> None:
    m = compile_registry(EXAMPLE, env="dev", as_of=AS_OF).manifest
    assert m is not None
    assert m["apiVersion"] == "regctl/v1" and m["kind"] == "Manifest" and m["environment"] == "dev"
    for pid, caps in m["active"].items():
        for cap, key in caps.items():
            model = m["models"][key]
            assert key.split("/", 1)[0] == pid and cap in model["active"]
    # every active flag in models is in the index, and the other way round
    flagged = {(k.split("/", 1)[0], c) for k, mm in m["models"].items() for c in mm["active"]}
    indexed = {(p, c) for p, caps in m["active"].items() for c in caps}
    assert flagged == indexed
    sonnet = m["models"]["anthropic/claude-3-5-sonnet-20241022"]
    assert sonnet["limits"] == {"context_window": 200000, "max_output_tokens": 8192}
    assert (
        sonnet["pricing"]["input_per_mtok"] == 3.0 and sonnet["pricing"]["output_per_mtok"] == 15.0
    )
    assert m["providers"]["openai"]["base_url"] == "https://api.openai.com/v1"
    assert all(
        c.startswith(("env:", "file:")) for p in m["providers"].values() for c in p["credentials"]
    )


def test_dev_and_prod_differ_in_an_active_model() -> None:
    dev = compile_registry(EXAMPLE, env="dev", as_of=AS_OF).manifest
    prod = compile_registry(EXAMPLE, env="prod", as_of=AS_OF).manifest
    assert dev and prod and dev["active"] != prod["active"]


def test_no_secret_values_or_absolute_paths(tmp_path: Path) -> None:
    os.environ["OPENAI_API_KEY"] = "sk-proj-THISISNOTAREALKEYBUTLOOKSLIKEONE1234"
    try:
        text = compile_registry(EXAMPLE, env="prod", as_of=AS_OF).text
    finally:
        del os.environ["OPENAI_API_KEY"]
    assert "THISISNOTAREALKEY" not in text
    assert str(EXAMPLE.parent) not in text and str(Path.home()) not in text


def test_source_commit_is_the_last_commit_touching_a_clean_registry(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "registry")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "registry"], check=True)
    sha = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    (repo / "README").write_text("unrelated\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "unrelated"], check=True)
    m = compile_registry(repo / "registry", as_of=AS_OF).manifest
    assert m is not None and m["source"]["commit"] == sha
    (repo / "registry" / "registry.yaml").write_text(
        (repo / "registry" / "registry.yaml").read_text() + "# edited\n"
    )
    dirty = compile_registry(repo / "registry", as_of=AS_OF).manifest
    assert dirty is not None and dirty["source"]["commit"] is None
    assert dirty["source"]["digest"] != m["source"]["digest"]
    # a comment is not content: same manifest digest, so nothing to deploy
    assert dirty["digest"] == m["digest"]
    outside = compile_registry(
        EXAMPLE.parent / "tests" / "cases" / "valid" / "minimal", as_of=AS_OF
    )
    assert outside.manifest is not None


def test_source_commit_in_a_shallow_clone_is_found_or_unknown_never_head(tmp_path: Path) -> None:
    """A depth-1 clone holds HEAD only, as a graft that "touches" every file: the commit is
    unknown (None) until the history reaches the last commit that touched the registry."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "registry")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "registry"], check=True)
    sha = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    for n in range(3):
        (repo / "README").write_text(f"unrelated {n}\n")
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-qm", f"unrelated {n}"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    m = compile_registry(clone / "registry", as_of=AS_OF).manifest
    assert m is not None and m["source"]["commit"] is None  # not the README commit (HEAD)
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--deepen=2"], check=True)
    m = compile_registry(clone / "registry", as_of=AS_OF).manifest
    assert m is not None and m["source"]["commit"] is None  # still only README commits
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--deepen=5"], check=True)
    m = compile_registry(clone / "registry", as_of=AS_OF).manifest
    assert m is not None and m["source"]["commit"] == sha


def test_check_detects_a_stale_lock(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    shutil.copytree(EXAMPLE, reg)
    lock = tmp_path / "prod.lock.json"
    write_lock(compile_registry(reg, env="prod", as_of=AS_OF), lock)
    assert run_cli("compile", str(reg), "--env", "prod", "-o", str(lock), "--check").returncode == 0
    openai = reg / "providers" / "openai.yaml"
    openai.write_text(openai.read_text().replace("input_per_mtok: 2.5", "input_per_mtok: 2.75", 1))
    assert is_stale(lock, compile_registry(reg, env="prod", as_of=AS_OF))
    res = run_cli("compile", str(reg), "--env", "prod", "-o", str(lock), "--check")
    assert res.returncode == 1 and "stale" in res.stderr


def test_failed_compile_leaves_no_lock_and_keeps_the_old_one(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    shutil.copytree(EXAMPLE, reg)
    lock = tmp_path / "out" / "lock.json"
    assert run_cli("compile", str(reg), "-o", str(lock)).returncode == 0
    before = lock.read_bytes()
    (reg / "broken.yaml").write_text("apiVersion: regctl/v1\nkind: Provider\nid: [\n")
    res = run_cli("compile", str(reg), "-o", str(lock))
    assert res.returncode == 1 and "yaml-syntax" in res.stderr and "Traceback" not in res.stderr
    assert lock.read_bytes() == before
    assert sorted(p.name for p in lock.parent.iterdir()) == ["lock.json"]  # no temp files left


def test_unknown_environment_is_a_usage_error() -> None:
    res = run_cli("compile", str(EXAMPLE), "--env", "staging")
    assert res.returncode == 2 and "unknown environment 'staging'" in res.stderr


def test_lock_written_in_pieces_is_the_same_text(tmp_path: Path) -> None:
    from regctl.pipeline.compile import write_lock

    result = compile_registry(EXAMPLE, env="prod", as_of=AS_OF)
    # streamed to the file one model at a time: the same bytes as the whole text
    write_lock(result, tmp_path / "prod.lock.json")
    assert (tmp_path / "prod.lock.json").read_text(encoding="utf-8") == result.text
    assert "".join(result.pieces()) == result.text
    assert len(list(result.pieces())) > len(result.manifest["models"])  # type: ignore[index]


def test_a_failing_stream_leaves_the_old_lock(tmp_path: Path) -> None:
    from regctl.io.fsutil import atomic_write

    lock = tmp_path / "prod.lock.json"
    lock.write_bytes(b"old")

    def chunks():  # type: ignore[no-untyped-def]
        yield b"{\n"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(lock, chunks())
    assert lock.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["prod.lock.json"]  # no temp file left
