"""The file target: atomic writes, optimistic concurrency, lock, history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deploy_fixtures import build_manifest, switch_active, text_of

from regctl.base.canonical import compute_digest
from regctl.deploy.targets import Deployed, TargetChanged, TargetError, TargetLocked, open_target
from regctl.deploy.targets.file import FileTarget


def test_first_write_creates_manifest_history_and_log(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "prod" / "manifest.lock.json")
    doc = build_manifest()
    assert not target.read().exists

    result = target.write(text_of(doc), doc["digest"], expected=target.read())

    assert result.digest == doc["digest"] and result.previous_digest is None
    assert target.path.read_text() == text_of(doc)
    deployed = target.read()
    assert deployed.digest == doc["digest"] and deployed.digest_ok
    assert target.history_digests() == {doc["digest"]}
    assert [e.digest for e in target.history()] == [doc["digest"]]
    assert json.loads(target.load_history(doc["digest"])) == doc


def test_write_refused_when_target_changed_since_read(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    old, new = build_manifest(), switch_active(build_manifest())
    target.write(text_of(old), old["digest"], expected=Deployed(None))
    before = target.path.read_bytes()

    with pytest.raises(TargetChanged, match="changed since it was read"):
        target.write(text_of(new), new["digest"], expected=Deployed(None))
    assert target.path.read_bytes() == before


def test_second_writer_is_refused_while_lock_is_held(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    doc = build_manifest()
    with target.lock(), pytest.raises(TargetLocked, match="locked by another apply"):
        FileTarget(target.path).write(text_of(doc), doc["digest"], expected=Deployed(None))
    assert not target.path.exists()
    # Released afterwards: the same write now succeeds.
    target.write(text_of(doc), doc["digest"], expected=Deployed(None))


def test_history_keeps_every_manifest_in_order(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    a = build_manifest()
    b = switch_active(a)
    target.write(text_of(a), a["digest"], expected=target.read())
    target.write(text_of(b), b["digest"], expected=target.read())
    target.write(text_of(a), a["digest"], expected=target.read())
    assert [e.digest for e in target.history()] == [a["digest"], b["digest"], a["digest"]]
    assert target.history_digests() == {a["digest"], b["digest"]}
    with pytest.raises(TargetError, match="not in the history"):
        target.load_history("sha256:" + "f" * 64)


def test_torn_log_line_and_leftover_temp_files_are_tolerated(tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "m.json")
    a = build_manifest()
    target.write(text_of(a), a["digest"], expected=target.read())
    with open(target.history_dir / "log.jsonl", "a") as fh:
        fh.write('{"digest": "sha2')  # what a kill in the middle of an append leaves
    leftover = tmp_path / ".m.json.abc123.tmp"
    leftover.write_text("partial")
    b = switch_active(a)
    target.write(text_of(b), b["digest"], expected=target.read())
    assert not leftover.exists()
    assert [e.digest for e in target.history()] == [a["digest"], b["digest"]]


def test_garbage_at_target_is_reported_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b'{"kind": "Manifest", "trunc')
    deployed = FileTarget(path).read()
    assert deployed.exists and deployed.manifest is None
    assert "not valid JSON" in (deployed.problem or "")
    path.write_bytes(b"\xff\xfe")
    assert FileTarget(path).read().problem == "it is not UTF-8 text"


def test_hand_edit_breaks_digest(tmp_path: Path) -> None:
    doc = build_manifest()
    doc["models"]["openai/gpt-4o"]["pricing"]["input_per_mtok"] = 0.01
    path = tmp_path / "m.json"
    path.write_text(text_of(doc))
    deployed = FileTarget(path).read()
    assert deployed.manifest is not None and not deployed.digest_ok
    assert compute_digest(deployed.manifest) != deployed.digest


def test_open_target_resolves_relative_paths_and_schemes(tmp_path: Path) -> None:
    t = open_target("file:deploy/prod.json", tmp_path)
    assert isinstance(t, FileTarget) and t.path == tmp_path / "deploy" / "prod.json"
    t2 = open_target(f"file://{tmp_path}/x.json", Path("/nowhere"))
    assert isinstance(t2, FileTarget) and t2.path == tmp_path / "x.json"
    from regctl.base.errors import UsageError

    with pytest.raises(UsageError, match="unsupported target"):
        open_target("gs://bucket/key", tmp_path)
    with pytest.raises(UsageError, match="use s3://BUCKET/KEY"):
        open_target("s3://bucket-only", tmp_path)
    with pytest.raises(UsageError, match="credentials in an S3 target URI") as s3_info:
        open_target("s3://AKIA:hunter2@bucket/key", tmp_path)
    assert "hunter2" not in str(s3_info.value)
    with pytest.raises(UsageError, match="REGCTL_TARGET_TOKEN") as info:
        open_target("https://ci:hunter2@config.example.com/prod.json", tmp_path)
    assert "hunter2" not in str(info.value)
