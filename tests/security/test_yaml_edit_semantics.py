"""Class 9: activate/deactivate edit exactly the named model through anchors, or refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from regctl.pipeline.validate import validate

ANCHORED = """apiVersion: regctl/v1
kind: Provider
id: acme
display_name: Acme AI
credentials: [env:ACME_API_KEY]
models:
  - &m1
    id: acme-a
    display_name: Acme A
    capabilities: [chat]
    active: false
  - <<: *m1
    id: acme-b
    display_name: Acme B
  - id: acme-c
    display_name: Acme C
    capabilities: [chat]
    active: true
  - <<: *m1
    id: acme-d
    display_name: Acme D
    active: false
"""


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regctl", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _active(registry: Path) -> dict[str, object]:
    report = validate(registry)
    assert report.ok, report.problems
    return {
        m.obj.id: m.obj.active for m in report.registry.base.all_models() if m.provider == "acme"
    }


@pytest.fixture
def anchored(registry: Path) -> Path:
    (registry / "providers" / "acme.yaml").write_text(ANCHORED)
    return registry


def test_activating_a_model_that_merges_active_edits_only_it(anchored: Path) -> None:
    before = _active(anchored)
    proc = _cli("activate", "acme/acme-b", "--registry", str(anchored), cwd=anchored.parent)
    assert proc.returncode == 0, proc.stderr
    after = _active(anchored)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"acme-b", "acme-c"}
    assert "acme/acme-c" in proc.stdout and "acme/acme-b" in proc.stdout
    text = (anchored / "providers" / "acme.yaml").read_text()
    assert "&m1" in text and text.count("<<: *m1") == 2  # the anchor is kept


def test_editing_the_anchor_shared_by_others_is_refused(anchored: Path) -> None:
    original = (anchored / "providers" / "acme.yaml").read_text()
    proc = _cli("activate", "acme/acme-a", "--registry", str(anchored), cwd=anchored.parent)
    assert proc.returncode == 1
    assert "refusing to edit" in proc.stderr and "acme/acme-b" in proc.stderr
    assert "acme/acme-d" not in proc.stderr  # d has its own 'active'
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert (anchored / "providers" / "acme.yaml").read_text() == original


def test_deactivate_through_a_merged_value(registry: Path) -> None:
    (registry / "providers" / "acme.yaml").write_text(
        ANCHORED.replace(
            "    active: false\n  - <<: *m1\n    id: acme-b",
            "    active: false\n  - <<: *m1\n    id: acme-b",
            1,
        ).replace(
            "  - id: acme-c\n    display_name: Acme C\n    capabilities: [chat]\n"
            "    active: true\n",
            "",
        )
    )
    proc = _cli("activate", "acme/acme-b", "--registry", str(registry), cwd=registry.parent)
    assert proc.returncode == 0, proc.stderr
    proc = _cli("deactivate", "acme/acme-b", "--registry", str(registry), cwd=registry.parent)
    assert proc.returncode == 0, proc.stderr
    assert _active(registry)["acme-b"] is False and _active(registry)["acme-a"] is False


def test_alias_of_a_scalar_is_edited_at_the_alias(registry: Path) -> None:
    text = ANCHORED.replace("    active: false\n", "    active: &off false\n", 1)
    text = text.replace(
        "    display_name: Acme D\n    active: false\n",
        "    display_name: Acme D\n    active: *off\n",
    )
    (registry / "providers" / "acme.yaml").write_text(text)
    before = _active(registry)
    proc = _cli("activate", "acme/acme-d", "--registry", str(registry), cwd=registry.parent)
    assert proc.returncode == 0, proc.stderr
    after = _active(registry)
    assert {k for k in before if before[k] != after[k]} == {"acme-d", "acme-c"}
    assert "&off" in (registry / "providers" / "acme.yaml").read_text()


INHERITED = """apiVersion: regctl/v1
kind: Provider
id: acme
display_name: Acme AI
credentials: [env:ACME_API_KEY]
models:
  - &m1
    id: acme-a
    display_name: Acme A
    capabilities: [chat]
    active: true
  - <<: *m1
    id: acme-b
    display_name: Acme B
    capabilities: [embedding]
"""


def test_deactivate_refuses_to_switch_a_model_that_inherits_active(registry: Path) -> None:
    """Issue 20 (11): acme-b's ``active`` is acme-a's, through ``<<: *m1``.

    Editing acme-a's line would switch acme-b off too, silently. regctl refuses and
    says which model and why, rather than rewriting acme-b's mapping on its own: the
    merge is the author's choice, and only they can say whether b should follow a.
    """
    path = registry / "providers" / "acme.yaml"
    path.write_text(INHERITED)
    before = _active(registry)
    assert before["acme-b"] is True
    proc = _cli("deactivate", "acme/acme-a", "--registry", str(registry), cwd=registry.parent)
    assert proc.returncode == 1
    assert "refusing to edit" in proc.stderr and "acme/acme-b" in proc.stderr
    assert "merge key" in proc.stderr and "own 'active' line" in proc.stderr
    assert path.read_text() == INHERITED and _active(registry) == before
    # Following the advice, the same command changes acme-a and nothing else.
    path.write_text(INHERITED + "    active: true\n")
    proc = _cli("deactivate", "acme/acme-a", "--registry", str(registry), cwd=registry.parent)
    assert proc.returncode == 0, proc.stderr
    after = _active(registry)
    assert {k for k in before if before[k] != after[k]} == {"acme-a"}


def test_deactivate_in_an_overlay_refuses_the_same_way(registry: Path) -> None:
    (registry / "providers" / "acme.yaml").write_text(INHERITED + "    active: false\n")
    overlay = (
        "apiVersion: regctl/v1\nkind: Environment\nid: dev\nproviders:\n  acme:\n"
        "    models:\n      acme-a: &on {active: true}\n      acme-b:\n        <<: *on\n"
    )
    env_file = registry / "environments" / "dev.yaml"
    env_file.parent.mkdir(exist_ok=True)
    env_file.write_text(overlay)
    assert validate(registry).ok
    proc = _cli(
        "deactivate", "acme/acme-a", "--env", "dev", "--registry", str(registry),
        cwd=registry.parent,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "refusing to edit" in proc.stderr and "acme/acme-b" in proc.stderr
    assert env_file.read_text() == overlay
