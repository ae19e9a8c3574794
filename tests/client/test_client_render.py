"""`Registry.render`: a template from the example registry, rendered through the client."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE

from regctl.client import Registry, UnknownTemplate
from regctl.client.render import RenderError
from regctl.pipeline.compile import compile_registry, write_lock


@pytest.fixture(scope="module")
def dev_lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lock = tmp_path_factory.mktemp("lock") / "dev.lock.json"
    write_lock(compile_registry(EXAMPLE, env="dev", as_of=dt.date(2026, 11, 23)), lock)
    return lock


def test_render_gives_messages_and_the_environments_model(dev_lock: Path) -> None:
    reg = Registry.load(dev_lock)
    out = reg.render("summarize", text="The deploy failed twice.", max_words=20)
    assert out.messages == [
        {"role": "system", "content": (
            "You write short, accurate summaries for a busy engineer. Never invent facts."
        )},
        {"role": "user", "content": (
            "Summarize the following in at most 20 words:\n\nThe deploy failed twice."
        )},
    ]  # fmt: skip
    # dev moves OpenAI chat to gpt-4o-mini; the template follows the active model
    assert out.model.model.id == "gpt-4o-mini" and out.model.provider.id == "openai"
    assert out.params == {"temperature": 0.2, "max_tokens": 400}


def test_render_errors(dev_lock: Path) -> None:
    reg = Registry.load(dev_lock)
    with pytest.raises(RenderError, match="needs variable 'text'"):
        reg.render("summarize")
    with pytest.raises(RenderError, match="no variable 'txet'"):
        reg.render("summarize", txet="x")
    with pytest.raises(UnknownTemplate, match="summarize"):
        reg.render("sumarize", text="x")


def test_jinja2_is_imported_only_when_rendering(dev_lock: Path) -> None:
    code = (
        "import sys; from regctl.client import Registry\n"
        f"r = Registry.load({str(dev_lock)!r}); r.resolve('chat')\n"
        "before = 'jinja2' in sys.modules\n"
        "r.render('summarize', text='x')\n"
        "print(before, 'jinja2' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
