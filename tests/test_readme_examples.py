"""README's command examples, run on the bundled registry (registry/).

Every ``regctl`` line of README's plain and bash code blocks is one of two kinds:
- an example (no ``[…]``, ``|`` or ``...``): it runs in a copy of the repository's
  registry with a compiled lock and credentials set, and exits 0;
- a synopsis (``regctl ls models [--provider P] …``): every option it names is one that
  command's ``--help`` lists.
Where README shows output, the lines are compared exactly. The GitOps tutorial has its own
test (tests/gitops/test_readme_gitops.py).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DJANGO_DUMP = ROOT / "tests" / "interop" / "data" / "django_dump.json"
KEYS = {
    name: "k-test"
    # every reference of the bundled registry: doctor checks each one of a chain
    for name in (
        "OPENAI_API_KEY_PRIMARY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "XAI_API_KEY",
    )
}
#: README sections whose regctl lines are covered elsewhere
ELSEWHERE = ("## Plan and apply (GitOps)",)


def _blocks() -> list[tuple[str, str]]:
    """(section heading, block text) of every plain or bash code block."""
    out = []
    heading = ""
    for match in re.finditer(r"^(#+ [^\n]*)$|^```(\w*)\n(.*?)^```", README, re.M | re.S):
        if match.group(1):
            heading = match.group(1)
        elif match.group(2) in ("", "bash"):
            out.append((heading, match.group(3)))
    return out


def _commands() -> list[str]:
    lines = []
    for heading, block in _blocks():
        if heading.startswith(ELSEWHERE):
            continue
        for raw in block.splitlines():
            for part in raw.split("&&"):
                part = part.strip()
                if part.startswith("regctl "):
                    lines.append(re.sub(r"\s+#.*$", "", part).strip())
    return lines


COMMANDS = _commands()
SYNOPSES = [c for c in COMMANDS if re.search(r"\[|\||\.\.\.|path/to", c)]
EXAMPLES = [c for c in COMMANDS if c not in SYNOPSES]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    (root / ".git").mkdir()  # the registry search stops here, like git's
    shutil.copytree(EXAMPLE, root / "registry")
    done = _run(root, "regctl compile registry/ --env prod -o build/prod.lock.json")
    assert done.returncode == 0, done.stderr
    return root


def _run(cwd: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **KEYS, "NO_COLOR": "1", "REGCTL_LANG": "en"}
    env.pop("REGCTL_MANIFEST", None)
    argv = shlex.split(command)
    return subprocess.run(
        [sys.executable, "-m", "regctl", *argv[1:]],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_examples_were_found() -> None:
    assert len(EXAMPLES) >= 10 and len(SYNOPSES) >= 8, (EXAMPLES, SYNOPSES)
    assert "regctl deactivate xai/grok-vision-beta" in EXAMPLES


@pytest.mark.parametrize("command", EXAMPLES)
def test_example_runs_on_the_bundled_registry(project: Path, command: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    if command.startswith(("regctl import ", "regctl init ")):  # they start a new project
        work.mkdir()
        # the input README's import example names (a Django dumpdata of the old tables)
        shutil.copy(
            ROOT / "tests" / "interop" / "data" / "django_dump.json", work / "dumpdata.json"
        )
    else:
        shutil.copytree(project, work)  # examples that edit (activate) get their own copy
    done = _run(work, command)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", SYNOPSES)
def test_synopsis_names_only_real_options(command: str) -> None:
    argv = shlex.split(command.replace("[", " ").replace("]", " ").replace("|", " "))
    words = [w for w in argv[1:] if not w.startswith("-")]
    options = {w.split("=")[0] for w in argv[1:] if w.startswith("-")}
    path = words[:2] if words[:2] in (["ls", "models"], ["ls", "providers"]) else words[:1]
    if path and path[0] in ("templates", "import", "export"):
        path = words[:2]
    help_text = _run(ROOT, "regctl " + " ".join([*path, "--help"])).stdout
    listed = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", help_text))
    assert options <= listed, f"{command}: {sorted(options - listed)} not in regctl {path} --help"


def test_validate_example_output_is_what_validate_prints(tmp_path: Path) -> None:
    """The edit README describes, made to the bundled registry; the lines README shows."""
    section = README[README.index("## Validate") :]
    shown = re.findall(r"^```\n(.*?)^```", section, re.M | re.S)[1].splitlines()
    shutil.copytree(EXAMPLE, tmp_path / "registry")
    (tmp_path / ".git").mkdir()
    path = tmp_path / "registry" / "providers" / "openai.yaml"
    text = path.read_text()
    mini = "  - id: gpt-4o-mini\n    display_name: GPT-4o mini\n    capabilities: [chat, vision]\n"
    assert mini in text
    text = text.replace(mini, mini + "    active: [chat]\n", 1)
    turbo = "pricing: {input_per_mtok: 0.50, output_per_mtok: 1.50, currency: USD}"
    assert turbo in text
    path.write_text(text.replace(turbo, turbo.replace("currency", "curency"), 1))
    done = _run(tmp_path, "regctl validate registry/")
    assert done.returncode == 1
    assert done.stdout.splitlines() == shown


def test_activate_prints_what_readme_says(project: Path, tmp_path: Path) -> None:
    shutil.copytree(project, tmp_path / "p")
    done = _run(tmp_path / "p", "regctl activate openai/gpt-4o-mini --capability chat")
    assert done.returncode == 0, done.stderr
    quoted = re.search(r"printing\n`([^`]+)`", README)
    assert quoted is not None and quoted.group(1) in done.stdout.splitlines(), done.stdout


def test_rule_table_lists_every_rule() -> None:
    from regctl.pipeline.rules import documentation

    table = set(re.findall(r"^\| `([a-z-]+)` \|", README, re.M))
    assert table == set(documentation()), sorted(set(documentation()) ^ table)
