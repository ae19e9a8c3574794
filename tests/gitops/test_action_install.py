"""The action's install step yields a working regctl built from the action's own files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT

import regctl


def _regctl(bindir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LANG", "LC_"))}
    full.update(env, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", NO_COLOR="1")
    return subprocess.run(
        ["regctl", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120
    )


def test_install_step_builds_a_wheel_with_its_package_data(
    action_install: tuple[Path, str], tmp_path: Path
) -> None:
    bindir, _ = action_install
    where = _regctl(bindir, "--version", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.split()[-1] == regctl.__version__, where.stdout
    # The installed copy runs, not this checkout's src/ (which an editable install would).
    origin = subprocess.run(
        [str(bindir / "python"), "-c", "import regctl; print(regctl.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        # as on a runner: no PYTHONPATH pointing at a checkout
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
    ).stdout.strip()
    assert str(bindir.parent) in origin and str(ROOT) not in origin, origin

    # init's scaffold (registry, schemas, workflow) comes from package data.
    init = _regctl(bindir, "init", "proj", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "proj" / ".github" / "workflows" / "registry.yml").is_file()
    assert (tmp_path / "proj" / "schemas").is_dir()
    ok = _regctl(bindir, "validate", "proj/registry", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr

    # Rule docs and the Persian catalog (a .mo file) are package data too.
    rules = _regctl(bindir, "rules", cwd=tmp_path)
    assert rules.returncode == 0 and "single-active" in rules.stdout, rules.stderr
    reg = tmp_path / "proj" / "registry" / "providers" / "openai.yaml"
    reg.write_text(reg.read_text().replace("display_name: OpenAI", "display_nam: OpenAI", 1))
    fa = _regctl(bindir, "validate", "proj/registry", cwd=tmp_path, LANG="fa_IR.UTF-8")
    assert fa.returncode == 1 and "Traceback" not in fa.stderr
    en = _regctl(bindir, "validate", "proj/registry", cwd=tmp_path, LANG="C.UTF-8")
    assert any("\u0600" <= ch <= "\u06ff" for ch in fa.stdout + fa.stderr), fa.stdout
    assert fa.stdout + fa.stderr != en.stdout + en.stderr
