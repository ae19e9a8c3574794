"""The JavaScript reader (clients/js) runs every conformance case under `node --test`."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conformance.conftest import CASES
from tests.conformance.contract import CONFORMANCE, Case, check, for_reader, manifest_of
from tests.conftest import ROOT, require_binary


@pytest.fixture(scope="module")
def node_answers(
    manifests: dict[tuple[str, str | None], Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    node = require_binary("node")
    out = tmp_path_factory.mktemp("conformance-js")
    index = []
    for c in CASES:
        path = manifest_of(c, manifests)
        index.append(dataclasses.asdict(for_reader(c, path)) | {"id": c.id, "manifest": str(path)})
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [node, "--test", str(CONFORMANCE / "runners" / "node.test.js")],
        cwd=ROOT,
        env={**os.environ, "REGCTL_CONFORMANCE": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith("# "))
    assert "# pass 0" not in summary, done.stdout[-4000:] + done.stderr[-2000:]
    answers: dict[str, Any] = json.loads((out / "answers.json").read_text(encoding="utf-8"))
    answers["__run__"] = {"returncode": done.returncode, "summary": summary}
    return answers


def test_node_test_runner_passes(node_answers: dict[str, Any]) -> None:
    run = node_answers["__run__"]
    assert run["returncode"] == 0 and "# fail 0" in run["summary"], run["summary"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_js_reader(
    case: Case, node_answers: dict[str, Any], manifests: dict[tuple[str, str | None], Path]
) -> None:
    assert case.id in node_answers, "the JavaScript runner gave no answer"
    if case.ask == "load":
        case = for_reader(case, manifest_of(case, manifests))
    check(case, node_answers[case.id], reader="js")
