"""plan / apply / rollback end to end on a copy of the example registry (real CLI processes)."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deploy_fixtures import SECRET, cli_env, regctl

from regctl.base.canonical import compute_digest

EXAMPLE = Path(__file__).resolve().parents[2] / "registry"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root holding a copy of the example registry."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "registry")
    return root


def _lock(repo: Path, env: str = "prod") -> Path:
    return repo / "deploy" / env / "manifest.lock.json"


def switch_openai_chat(repo: Path) -> None:
    """The branch edit of the issue: openai chat moves from gpt-4o to gpt-4o-mini."""
    path = repo / "registry" / "providers" / "openai.yaml"
    text = path.read_text()
    flagship = "  - id: gpt-4o\n    display_name: GPT-4o\n    capabilities: [chat, vision]\n"
    mini = "  - id: gpt-4o-mini\n    display_name: GPT-4o mini\n    capabilities: [chat, vision]\n"
    assert flagship + "    active: true\n" in text and mini in text
    text = text.replace(flagship + "    active: true\n", flagship + "    active: [vision]\n")
    path.write_text(text.replace(mini, mini + "    active: [chat]\n"))


def _clean(proc: subprocess.CompletedProcess[str]) -> str:
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and SECRET not in out
    return out


def test_plan_apply_plan_change_rollback(repo: Path, tmp_path: Path) -> None:
    # Run from elsewhere: the target path is relative to the registry's parent (repo root).
    reg = str(repo / "registry")
    first = regctl("plan", reg, "--env", "prod", "--detailed-exitcode", cwd=tmp_path)
    assert first.returncode == 2, _clean(first)
    assert "+ model openai/gpt-4o (chat, vision; active: chat, vision)" in first.stdout

    applied = regctl("apply", reg, "--env", "prod", "--auto-approve", cwd=tmp_path)
    assert applied.returncode == 0, _clean(applied)
    lock = json.loads(_lock(repo).read_text())
    assert lock["environment"] == "prod" and compute_digest(lock) == lock["digest"]
    assert f"Applied {lock['digest']}" in applied.stdout
    v1 = lock["digest"]

    again = regctl("plan", reg, "--env", "prod", "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0 and "No changes" in again.stdout, _clean(again)

    switch_openai_chat(repo)
    plan_file = tmp_path / "plan.json"
    changed = regctl(
        "plan", reg, "--env", "prod", "--detailed-exitcode", "-o", str(plan_file), cwd=tmp_path
    )
    assert changed.returncode == 2, _clean(changed)
    assert "~ openai chat: gpt-4o -> gpt-4o-mini" in changed.stdout
    md = regctl("plan", reg, "--env", "prod", "--format", "markdown", cwd=tmp_path)
    assert "| ~ | `openai chat` | `gpt-4o` | `gpt-4o-mini` |" in md.stdout, _clean(md)
    as_json = json.loads(
        regctl("plan", reg, "--env", "prod", "--format", "json", cwd=tmp_path).stdout
    )
    assert {
        "kind": "activation",
        "action": "update",
        "id": "openai chat",
        "old": "openai/gpt-4o",
        "new": "openai/gpt-4o-mini",
    } in as_json["changes"]
    # dev is untouched by the prod apply and has its own target.
    assert not _lock(repo, "dev").exists()

    saved = regctl("apply", str(plan_file), cwd=tmp_path)
    assert saved.returncode == 0, _clean(saved)
    v2 = json.loads(_lock(repo).read_text())["digest"]
    assert v2 != v1 and v2 == json.loads(plan_file.read_text())["digest"]

    listed = regctl("rollback", reg, "--env", "prod", "--list", cwd=tmp_path)
    assert v1 in listed.stdout and f"{v2}  (deployed)" in listed.stdout
    back = regctl("rollback", reg, "--env", "prod", "--auto-approve", cwd=tmp_path)
    assert back.returncode == 0, _clean(back)
    assert "~ openai chat: gpt-4o-mini -> gpt-4o" in back.stdout
    assert json.loads(_lock(repo).read_text())["digest"] == v1
    forward = regctl(
        "rollback", reg, "--env", "prod", "--to", v2[7:19], "--auto-approve", cwd=tmp_path
    )
    assert forward.returncode == 0, _clean(forward)
    assert json.loads(_lock(repo).read_text())["digest"] == v2


def test_drift_garbage_and_force(repo: Path) -> None:
    assert regctl("apply", "--env", "prod", "--auto-approve", cwd=repo).returncode == 0
    lock = _lock(repo)
    doc = json.loads(lock.read_text())
    doc["defaults"]["chat"] = "xai"  # a hand edit on the server
    lock.write_text(json.dumps(doc))
    drift = regctl("plan", "--env", "prod", "--detailed-exitcode", cwd=repo)
    assert drift.returncode == 2, _clean(drift)
    assert "warning: drift: the deployed manifest was edited by hand" in drift.stdout
    assert '~ chat: "xai" -> "openai"' in drift.stdout

    lock.write_text("{not json")
    for args in (("plan",), ("apply", "--auto-approve")):
        proc = regctl(*args, "--env", "prod", cwd=repo)
        assert proc.returncode == 1, _clean(proc)
        assert "holds something that is not a regctl manifest: it is not valid JSON" in proc.stderr
        assert lock.read_text() == "{not json"
    # rollback is the way back from a broken target: it may replace garbage.
    back = regctl("rollback", "--env", "prod", "--auto-approve", cwd=repo)
    assert back.returncode == 0, _clean(back)
    assert "not a regctl manifest" in back.stdout  # reported as drift
    assert json.loads(lock.read_text())["digest"] == doc["digest"]

    lock.write_text("{not json")
    forced = regctl("apply", "--env", "prod", "--auto-approve", "--force", cwd=repo)
    assert forced.returncode == 0, _clean(forced)
    assert compute_digest(json.loads(lock.read_text())) == json.loads(lock.read_text())["digest"]


def test_errors_are_one_line_with_exit_codes(repo: Path, tmp_path: Path) -> None:
    no_confirm = regctl("apply", "--env", "prod", cwd=repo)
    assert no_confirm.returncode == 2 and "pass --auto-approve" in no_confirm.stderr
    assert not _lock(repo).exists()

    unknown = regctl("plan", "--env", "staging", "--detailed-exitcode", cwd=repo)
    assert unknown.returncode == 1 and "unknown environment 'staging'" in unknown.stderr
    no_target = regctl("plan", cwd=repo)  # the base registry has no target configured
    assert no_target.returncode == 2 and "pass --target URI" in no_target.stderr

    broken = repo / "registry" / "providers" / "openai.yaml"
    broken.write_text(broken.read_text().replace("display_name: GPT-4o mini\n", "", 1))
    bad = regctl("plan", "--env", "prod", "--detailed-exitcode", cwd=repo)
    assert bad.returncode == 1, _clean(bad)
    assert "registry/providers/openai.yaml:" in bad.stderr and "error [" in bad.stderr

    nothing = regctl("rollback", "--env", "prod", cwd=repo)
    assert nothing.returncode == 1 and "no earlier manifest" in nothing.stderr
    missing = regctl("apply", str(tmp_path / "nope.json"), cwd=repo)
    assert missing.returncode == 2 and "registry folder not found" in missing.stderr


def test_explicit_target_and_secrets_stay_out(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere.json"
    for fmt in ("text", "json", "markdown"):
        proc = regctl("plan", "--env", "dev", "--target", str(out), "--format", fmt, cwd=repo)
        assert proc.returncode == 0 and "env:OPENAI_API_KEY" in _clean(proc)
    proc = regctl("apply", "--env", "dev", "--target", f"file:{out}", "--auto-approve", cwd=repo)
    assert proc.returncode == 0, _clean(proc)
    assert SECRET not in out.read_text() and not _lock(repo, "dev").exists()


def _run_on_tty(args: list[str], cwd: Path, answer: str) -> tuple[int, str]:
    """Run the CLI with stdin/stdout on a pseudo-terminal, answer the prompt, collect output."""
    master, slave = pty.openpty()
    env = cli_env()
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    out, sent, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not sent and b"Only 'yes' will be accepted" in out:
            os.write(master, answer.encode() + b"\n")
            sent = True
        if proc.poll() is not None and not ready:
            break
    os.close(master)
    return proc.wait(timeout=10), out.decode(errors="replace")


def test_confirmation_prompt_and_colour_on_a_terminal(repo: Path) -> None:
    code, out = _run_on_tty(["apply", "--env", "prod"], repo, "no")
    assert code == 1 and "apply cancelled" in out and not _lock(repo).exists()
    assert "\x1b[32m+ model openai/gpt-4o" in out  # green on a terminal
    code, out = _run_on_tty(["apply", "--env", "prod"], repo, "yes")
    assert code == 0 and "Applied sha256:" in out and _lock(repo).exists()


def test_apply_publishes_the_static_read_api(repo: Path, tmp_path: Path) -> None:
    reg, site = str(repo / "registry"), tmp_path / "site"
    applied = regctl(
        "apply", reg, "--env", "prod", "--auto-approve", "--static", str(site), cwd=tmp_path
    )
    assert applied.returncode == 0, _clean(applied)
    lock = json.loads(_lock(repo).read_text())
    current = json.loads((site / "current.json").read_text())
    assert current["digest"] == lock["digest"]
    root = site / current["root"]
    active = json.loads((root / "v1/providers/openai/active/chat.json").read_text())
    assert active["model"]["key"] == "openai/gpt-4o"
    # The export of the applied manifest is byte for byte what `export static` writes.
    alone = tmp_path / "alone"
    done = regctl("export", "static", str(_lock(repo)), "-o", str(alone), cwd=tmp_path)
    assert done.returncode == 0, _clean(done)
    for path in (alone / current["root"]).rglob("*.json"):
        assert (root / path.relative_to(alone / current["root"])).read_bytes() == path.read_bytes()

    # The next apply moves current.json to the new manifest's root.
    switch_openai_chat(repo)
    again = regctl(
        "apply", reg, "--env", "prod", "--auto-approve", "--static", str(site), cwd=tmp_path
    )
    assert again.returncode == 0, _clean(again)
    moved = json.loads((site / "current.json").read_text())
    assert moved["digest"] == json.loads(_lock(repo).read_text())["digest"] != current["digest"]
    active = json.loads((site / moved["root"] / "v1/providers/openai/active/chat.json").read_text())
    assert active["model"]["key"] == "openai/gpt-4o-mini"

    # A failed apply publishes nothing: current.json stays where the target is.
    (repo / "registry" / "providers" / "openai.yaml").write_text("kind: [\n")
    failed = regctl(
        "apply", reg, "--env", "prod", "--auto-approve", "--static", str(site), cwd=tmp_path
    )
    assert failed.returncode == 1, _clean(failed)
    assert json.loads((site / "current.json").read_text()) == moved
