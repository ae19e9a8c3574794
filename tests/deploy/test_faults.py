"""Faults with real processes: SIGKILL mid-apply, concurrent applies, stale plans, bad targets."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from deploy_fixtures import (
    SECRET,
    TargetServer,
    build_manifest,
    cli_env,
    regctl,
    switch_active,
    text_of,
)

from regctl.base.canonical import compute_digest, dumps_pretty
from regctl.deploy.apply import plan_for, resolve_target
from regctl.deploy.targets import Deployed
from regctl.deploy.targets.file import FileTarget


def save_plan(path: Path, new: dict[str, Any], target_uri: str) -> Path:
    """What `regctl plan -o` writes, made against whatever the target holds now."""
    rt = resolve_target(None, None, target_uri)
    plan, _ = plan_for(new, text_of(new), rt)
    path.write_text(dumps_pretty(plan.as_dict(with_manifest=True)))
    return path


def _assert_clean_failure(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from regctl.deploy.targets.file import FileTarget
    target = FileTarget(Path(sys.argv[1]))
    texts = [Path(p).read_text() for p in sys.argv[2:4]]
    digests = sys.argv[4:6]
    print("ready", flush=True)
    i = 1
    while True:  # apply new, old, new, ... until killed
        target.write(texts[i % 2], digests[i % 2], expected=target.read())
        i += 1
    """
)


def test_sigkill_during_apply_never_leaves_a_partial_manifest(tmp_path: Path) -> None:
    old = build_manifest(extra_models=3000)
    new = switch_active(old)
    files = [tmp_path / "old.json", tmp_path / "new.json"]
    for f, doc in zip(files, (old, new), strict=True):
        f.write_text(text_of(doc))
    good = {text_of(old).encode(), text_of(new).encode()}
    target = FileTarget(tmp_path / "deploy" / "manifest.lock.json")
    target.write(text_of(old), old["digest"], expected=Deployed(None))
    rng = random.Random(4)
    leftovers = 0
    trials = 0
    # At least 50 kills; on a loaded machine the first kills may all fall between writes,
    # so keep going (up to 300) until one has landed mid-write.
    while trials < 50 or (leftovers == 0 and trials < 300):
        trials += 1
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WRITER,
                str(target.path),
                *map(str, files),
                old["digest"],
                new["digest"],
            ],
            stdout=subprocess.PIPE,
            env=cli_env(),
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.12))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        leftovers += any(target.path.parent.glob("*.tmp"))
        raw = target.path.read_bytes()
        assert raw in good  # complete, byte for byte one of the two
        deployed = target.read()
        assert deployed.digest_ok and deployed.digest in target.history_digests()
        assert compute_digest(json.loads(raw)) == deployed.digest
    # The kills did land in the middle of writes (else this test proves nothing).
    assert leftovers > 0
    # The next apply cleans up after the killed ones.
    cur = target.read()
    target.write(text_of(old), old["digest"], expected=cur)
    assert not any(target.path.parent.glob("*.tmp"))


def test_two_concurrent_applies_exactly_one_wins(tmp_path: Path) -> None:
    for round_ in range(3):
        folder = tmp_path / str(round_)
        folder.mkdir()
        base = build_manifest()
        target_path = folder / "manifest.lock.json"
        target_path.write_text(text_of(base))
        uri = f"file:{target_path}"
        mine = switch_active(base)
        theirs = build_manifest(defaults={"chat": "anthropic"})
        plans = [save_plan(folder / "a.json", mine, uri), save_plan(folder / "b.json", theirs, uri)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "regctl", "apply", str(p), "--auto-approve"],
                cwd=folder,
                env=cli_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p in plans
        ]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        assert sorted(r[0] for r in results) == [0, 1], results
        winner = next(i for i, r in enumerate(results) if r[0] == 0)
        loser_err = next(r[2] for r in results if r[0] != 0)
        assert any(
            m in loser_err for m in ("locked by another apply", "changed since", "stale plan")
        ), loser_err
        assert "Traceback" not in loser_err
        # Nothing lost: the winner is deployed whole, and both old and new are in history.
        assert target_path.read_text() == text_of((mine, theirs)[winner])
        history = FileTarget(target_path).history_digests()
        assert {base["digest"], (mine, theirs)[winner]["digest"]} <= history


def test_stale_plan_is_refused_and_target_untouched(tmp_path: Path) -> None:
    base = build_manifest()
    target = FileTarget(tmp_path / "m.json")
    target.write(text_of(base), base["digest"], expected=Deployed(None))
    plan = save_plan(tmp_path / "plan.json", switch_active(base), f"file:{target.path}")
    other = build_manifest(defaults={"chat": "anthropic"})
    target.write(text_of(other), other["digest"], expected=target.read())
    before = target.path.read_bytes()

    proc = regctl("apply", str(plan), "--auto-approve", cwd=tmp_path)
    _assert_clean_failure(proc, "stale plan", other["digest"], base["digest"])
    assert target.path.read_bytes() == before


def test_saved_plan_applies_and_plan_file_reports_environment_mismatch(tmp_path: Path) -> None:
    base = build_manifest()
    new = switch_active(base)
    uri = f"file:{tmp_path / 'm.json'}"
    plan = save_plan(tmp_path / "plan.json", new, uri)
    wrong_env = regctl("apply", str(plan), "--env", "dev", cwd=tmp_path)
    assert wrong_env.returncode == 2 and "not 'dev'" in wrong_env.stderr
    ok = regctl("apply", str(plan), cwd=tmp_path)  # a saved plan needs no prompt off a TTY
    assert ok.returncode == 0, ok.stderr
    assert f"Applied {new['digest']}" in ok.stdout
    assert (tmp_path / "m.json").read_text() == text_of(new)
    again = regctl("apply", str(plan), cwd=tmp_path)
    _assert_clean_failure(again, "stale plan")


def test_http_unreachable_412_and_500(
    tmp_path: Path, http_target: TargetServer, closed_port_url: str
) -> None:
    base = build_manifest()
    http_target.body = text_of(base).encode()
    plan = save_plan(tmp_path / "plan.json", switch_active(base), http_target.url)

    down = regctl("apply", str(plan), "--target", closed_port_url, cwd=tmp_path)
    _assert_clean_failure(down, "cannot read target", "connection refused")

    token = "tok-" + "9x" * 20
    http_target.fail = -1
    failing = regctl("apply", str(plan), cwd=tmp_path, REGCTL_TARGET_TOKEN=token)
    _assert_clean_failure(failing, "HTTP 500", "after 4 attempts")
    assert token not in failing.stdout + failing.stderr
    assert http_target.body == text_of(base).encode()

    http_target.fail = 0
    original_etag = http_target.etag

    def moving_etag() -> str:  # someone else writes between our GET and our PUT
        return '"elsewhere"' if http_target.requests[-1][0] == "PUT" else original_etag()

    http_target.etag = moving_etag  # type: ignore[method-assign]
    conflict = regctl("apply", str(plan), cwd=tmp_path)
    _assert_clean_failure(conflict, "412 Precondition Failed")
    assert http_target.body == text_of(base).encode()

    no_history = regctl("rollback", "--target", http_target.url, cwd=tmp_path)
    _assert_clean_failure(no_history, "keeps no history")

    http_target.etag = original_etag  # type: ignore[method-assign]
    ok = regctl("apply", str(plan), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(http_target.body or b"")["active"]["openai"]["chat"] == "openai/gpt-4o-mini"


def test_garbage_at_target_makes_a_saved_plan_stale(tmp_path: Path) -> None:
    base = build_manifest()
    path = tmp_path / "m.json"
    path.write_text(text_of(base))
    plan = save_plan(tmp_path / "plan.json", switch_active(base), f"file:{path}")
    path.write_bytes(b"\x00garbage")
    proc = regctl("apply", str(plan), cwd=tmp_path)
    _assert_clean_failure(proc, "stale plan")
    assert path.read_bytes() == b"\x00garbage"
