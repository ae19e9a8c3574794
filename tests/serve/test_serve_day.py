"""The precomputed answers follow the calendar: a new UTC day rebuilds them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, run_cli

from regctl.serve import answers
from regctl.serve.watcher import ManifestWatcher

GAMMA = b"/v1/resolve?capability=chat&provider=gamma"


def test_a_new_day_drops_a_model_whose_deprecated_date_came(tmp_path: Path) -> None:
    # gamma's only chat model, g-chat, is deprecated on 2027-06-30 (conformance registry).
    out = tmp_path / "contract.lock.json"
    registry = ROOT / "conformance" / "registries" / "contract"
    done = run_cli("compile", str(registry), "--as-of", "2026-06-01", "-o", str(out))
    assert done.returncode == 0, done.stderr
    day = ["2027-06-29"]
    watcher = ManifestWatcher(str(out), clock=lambda: day[0])
    assert watcher.poll()
    before = watcher.snapshot
    assert before is not None and before.day == "2027-06-29"
    assert json.loads(before.fast[GAMMA].body)["resolved"]["model"] == "gamma/g-chat"

    assert not watcher.poll()  # same day, same manifest: nothing rebuilt
    assert watcher.snapshot is before

    day[0] = "2027-06-30"
    assert not watcher.poll()  # not a new manifest (reloads stay 1) ...
    after = watcher.snapshot
    assert after is not None and after is not before and watcher.reloads == 1
    assert (after.day, after.digest) == ("2027-06-30", before.digest)
    # ... but g-chat has left the answers: the contract's "not past deprecated".
    assert GAMMA not in after.fast
    query = {"capability": "chat", "provider": "gamma", "today": after.day}
    answer = answers.resolve(after, query, None)
    assert answer.status == 404
    assert json.loads(answer.body)["error"]["code"] == "no_active_model"
