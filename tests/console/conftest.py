"""A real ``regctl serve`` with the console, over a project with a history, usage and a
model whose description is an attack (it arrives through a pull request)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, run_cli
from tests.serve.serve_fixtures import Server

#: What a pull request could put in a description: markup, an event handler, a bidi
#: override. The console must show it as text, and nothing of it may run.
HOSTILE = (
    '<script>document.title="pwned";window.__pwned=1</script>'
    '<img src=x onerror="window.__pwned=2"> reversed:\u202egnp.exe'
)

BUDGETS = """budgets:
  - {scope: provider:openai, monthly: 10, warn_at: 0.5}
  - {scope: all, monthly: 50}
"""


@dataclass
class Project:
    root: Path
    registry: Path
    manifest: Path  # the file target the server watches (its history folder beside it)
    usage: Path
    month: str


def _event(day: str, provider: str, model: str, cost: str, ok: bool, ms: float) -> str:
    return json.dumps(
        {
            "ts": f"{day}T12:00:00.000Z",
            "provider": provider,
            "model": f"{provider}/{model}",
            "environment": "prod",
            "template": "summarize" if provider == "openai" else None,
            "input_tokens": 1000,
            "output_tokens": 100,
            "cost": cost,
            "latency_ms": ms,
            "ok": ok,
        }
    )


def _apply(registry: Path, target: Path) -> None:
    done = run_cli(
        "apply", "--registry", str(registry), "--target", f"file:{target}", "--auto-approve"
    )
    assert done.returncode == 0, done.stderr


def make_project(root: Path) -> Project:
    """The example registry (a hostile description, budgets), applied twice to a file
    target (gpt-4o's price changed in between), and this month's usage."""
    registry = root / "registry"
    shutil.copytree(EXAMPLE, registry)
    reg = registry / "registry.yaml"
    reg.write_text(reg.read_text(encoding="utf-8") + BUDGETS, encoding="utf-8")
    openai = registry / "providers" / "openai.yaml"
    text = openai.read_text(encoding="utf-8")
    text = text.replace(
        "description: Multimodal flagship (text and image input, text output).",
        f"description: {json.dumps(HOSTILE)}",
    )
    openai.write_text(text, encoding="utf-8")
    target = root / "deploy" / "manifest.lock.json"
    _apply(registry, target)
    cheaper = text.replace(
        "input_per_mtok: 2.50, output_per_mtok: 10.00",
        "input_per_mtok: 2.00, output_per_mtok: 8.00",
    )
    assert cheaper != text
    openai.write_text(cheaper, encoding="utf-8")
    _apply(registry, target)
    today = dt.datetime.now(dt.timezone.utc).date()
    lines = []
    for n in range(20):
        day = today.replace(day=1 + n % today.day).isoformat()
        lines.append(_event(day, "openai", "gpt-4o", "0.0125", n != 0, 100 + n * 10))
    lines.append(
        _event(today.isoformat(), "anthropic", "claude-3-haiku-20240307", "0.5", False, 900)
    )
    usage = root / "usage.jsonl"
    usage.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Project(root, registry, target, usage, today.strftime("%Y-%m"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="module")
def console(project: Project) -> Iterator[Server]:
    """``regctl serve`` as a user starts it for the console: the applied manifest, the
    registry (budgets, propose) and the usage file; OPENAI_API_KEY set, the others not."""
    srv = Server(
        str(project.manifest),
        project.root,
        args=("--registry", str(project.registry), "--usage", str(project.usage)),
        ANTHROPIC_API_KEY="",
    )
    yield srv
    srv.stop()
