"""`regctl activate` / `deactivate`: in-place edits that touch only the `active` lines."""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from regctl.authoring import activate as activate_mod
from regctl.authoring.activate import change_active
from regctl.authoring.files import FileChangedError
from regctl.base.errors import RegctlError

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases" / "valid"


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.yaml"))
    }


def _changed_lines(before: str, after: str) -> list[str]:
    """The lines removed or added between two texts (``-``/``+`` prefixed)."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def _active_of(run_cli, reg: Path, *env: str) -> dict[str, dict[str, str]]:
    r = run_cli("compile", str(reg), *env, cwd=reg.parent)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["active"]  # type: ignore[no-any-return]


def test_example_registry_switch_changes_only_active_lines(tmp_path: Path, run_cli) -> None:
    reg = tmp_path / "registry"
    shutil.copytree(REPO / "registry", reg)
    before = {p: p.read_text() for p in reg.rglob("*.yaml")}
    assert _active_of(run_cli, reg)["openai"]["chat"] == "openai/gpt-4o"

    r = run_cli("activate", "openai", "gpt-4o-mini", "--capability", "chat", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "activated openai/gpt-4o-mini for chat" in r.stdout
    assert "1 other model deactivated: openai/gpt-4o (chat)" in r.stdout

    changed = {p for p in before if p.read_text() != before[p]}
    assert changed == {reg / "providers" / "openai.yaml"}
    lines = _changed_lines(
        before[reg / "providers/openai.yaml"], (reg / "providers/openai.yaml").read_text()
    )
    assert lines == ["-    active: true", "+    active: [vision]", "+    active: [chat]"]

    assert run_cli("validate", str(reg), cwd=tmp_path).returncode == 0
    active = _active_of(run_cli, reg)["openai"]
    assert (active["chat"], active["vision"]) == ("openai/gpt-4o-mini", "openai/gpt-4o")


def test_activate_all_capabilities_and_true_becomes_a_list(project: Path, run_cli) -> None:
    reg = project / "registry"
    openai = reg / "providers" / "openai.yaml"
    before = openai.read_text()
    r = run_cli("activate", "openai", "gpt-4o-mini", "-c", "chat", cwd=project)
    assert r.returncode == 0, r.stderr
    assert _changed_lines(before, openai.read_text()) == [
        "-    active: true",
        "+    active: [vision, tools]",
        "-    active: false",
        "+    active: [chat]",
    ]
    r = run_cli("activate", "openai", "gpt-4o-mini", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "1 other model deactivated: openai/gpt-4o (vision, tools)" in r.stdout
    assert _changed_lines(before, openai.read_text()) == [
        "-    active: true",
        "+    active: false",
        "-    active: false",
        "+    active: true",
    ]
    assert run_cli("validate", str(reg), cwd=project).returncode == 0


def test_deactivate(project: Path, run_cli) -> None:
    reg = project / "registry"
    r = run_cli("deactivate", "xai", "grok-2-vision-1212", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "deactivated xai/grok-2-vision-1212 for vision" in r.stdout
    assert "    active: false\n" in (reg / "providers/xai.yaml").read_text()
    again = run_cli("deactivate", "xai", "grok-2-vision-1212", cwd=project)
    assert again.returncode == 0 and "already inactive" in again.stdout


def test_env_overlay_is_edited_and_base_left_alone(project: Path, run_cli) -> None:
    reg = project / "registry"
    base = _hashes(reg / "providers")
    r = run_cli("activate", "openai", "gpt-4o", "-c", "chat", "--env", "dev", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "1 other model deactivated: openai/gpt-4o-mini (chat)" in r.stdout
    assert _hashes(reg / "providers") == base
    assert _active_of(run_cli, reg, "--env", "dev")["openai"]["chat"] == "openai/gpt-4o"
    # prod has no overlay yet: the structure is created
    r = run_cli("activate", "anthropic", "claude-3-5-haiku-20241022", "--env", "prod", cwd=project)
    assert r.returncode == 0, r.stderr
    prod = (reg / "environments/prod.yaml").read_text()
    assert prod.splitlines()[1].startswith("# Production uses the base registry")
    assert "claude-3-5-haiku-20241022:\n        active: true" in prod
    assert _active_of(run_cli, reg, "--env", "prod")["anthropic"]["chat"] == (
        "anthropic/claude-3-5-haiku-20241022"
    )
    assert _hashes(reg / "providers") == base


def test_standalone_model_and_flow_overlay(tmp_path: Path, run_cli) -> None:
    reg = tmp_path / "registry"
    shutil.copytree(CASES / "standalone-model-and-env", reg)
    tiny = reg / "models/acme-tiny.yaml"
    before = tiny.read_text()
    r = run_cli("activate", "acme", "acme-tiny", "-c", "chat", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _changed_lines(before, tiny.read_text()) == ["-active: [embedding]", "+active: true"]
    assert "acme/acme-large (chat)" in r.stdout
    # The dev overlay is a flow mapping: edited through the round-trip dump.
    r = run_cli("activate", "acme", "acme-tiny", "-c", "chat", "--env", "dev", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "acme/acme-small (chat)" in r.stdout
    assert _active_of(run_cli, reg, "--env", "dev")["acme"]["chat"] == "acme/acme-tiny"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["openai", "gpt-5"], "provider 'openai' has no model 'gpt-5'"),
        (["opnai", "gpt-4o"], "unknown provider 'opnai'; did you mean 'openai'?"),
        (["openai", "gpt-4o", "-c", "embedding"], "has no capability 'embedding'"),
        (["openai", "gpt-4o", "--env", "staging"], "unknown environment 'staging'"),
    ],
)
def test_bad_input_leaves_files_untouched(project: Path, run_cli, args, message) -> None:
    before = _hashes(project / "registry")
    r = run_cli("activate", *args, cwd=project)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert _hashes(project / "registry") == before


def test_result_that_would_not_validate_is_refused(project: Path, run_cli) -> None:
    xai = project / "registry/providers/xai.yaml"
    xai.write_text(
        xai.read_text().replace("    released: 2024-12-12\n", "    deprecated: 2020-01-01\n", 1)
    )
    before = _hashes(project / "registry")
    r = run_cli("activate", "xai", "grok-2-vision-1212", "-c", "chat", cwd=project)
    assert r.returncode == 1
    assert "nothing was written" in r.stderr and "[deprecated-active]" in r.stderr
    # located as `regctl validate` locates problems: the real file, relative to the cwd
    assert "registry/providers/xai.yaml:" in r.stderr and "regctl-check-" not in r.stderr
    assert _hashes(project / "registry") == before


def test_file_changed_under_the_command_is_not_overwritten(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai = project / "registry/providers/openai.yaml"
    real = activate_mod.validate_candidate

    def edit_meanwhile(*args, **kwargs):
        # Another editor saves the file while regctl validates its change.
        openai.write_text(openai.read_text() + "# saved by someone else\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(activate_mod, "validate_candidate", edit_meanwhile)
    with pytest.raises(FileChangedError, match="changed on disk"):
        change_active(project / "registry", "openai", "gpt-4o-mini")
    text = openai.read_text()
    assert text.endswith("# saved by someone else\n")
    assert "    active: false\n" in text.split("gpt-4o-mini")[1]  # the edit was not applied


def test_dry_run_writes_nothing(project: Path) -> None:
    before = _hashes(project / "registry")
    out = change_active(project / "registry", "openai", "gpt-4o-mini", dry_run=True)
    assert [o.ref for o in out.others] == ["openai/gpt-4o"]
    assert _hashes(project / "registry") == before


def test_unknown_model_raises_regctl_error(project: Path) -> None:
    with pytest.raises(RegctlError, match="did you mean 'gpt-4o-mini'"):
        change_active(project / "registry", "openai", "gpt-4o-mimi")


def _modules_after_activate(reg: Path, *args: object, env: str | None = None) -> set[str]:
    """Run change_active in a fresh interpreter; the YAML libraries it imported."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from regctl.authoring.activate import change_active;"
        f"change_active(Path({str(reg)!r}), *{args!r}, env={env!r});"
        "print(' '.join(m for m in ('ruamel.yaml',) if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_text_edits_never_load_the_round_trip_parser(tmp_path: Path) -> None:
    # ruamel.yaml is ~25x slower than libyaml: a block-style file is edited as text at the
    # positions libyaml reports; only a layout the splices cannot handle is read with ruamel.
    reg = tmp_path / "registry"
    shutil.copytree(REPO / "registry", reg)
    assert _modules_after_activate(reg, "openai", "gpt-4o-mini") == set()
    flow = tmp_path / "flow"
    shutil.copytree(CASES / "standalone-model-and-env", flow)
    assert _modules_after_activate(flow, "acme", "acme-tiny", ("chat",)) == set()
    # the dev overlay is a flow mapping: that one file goes through the round trip
    assert _modules_after_activate(flow, "acme", "acme-tiny", ("chat",), env="dev") == {
        "ruamel.yaml"
    }
