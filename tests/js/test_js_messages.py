"""The JavaScript reader's messages come from the same .po files as Python's."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_generated_js_messages_are_current_and_complete() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "js_messages.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_every_js_message_is_also_a_python_message() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import js_messages
    finally:
        sys.path.pop(0)
    from tests.i18n.test_catalogs import _source_ids

    templates = js_messages.js_templates()
    assert len(templates) >= 20
    # One catalogue: a message only JavaScript says would have no source of truth.
    assert sorted(set(templates) - _source_ids()) == []
