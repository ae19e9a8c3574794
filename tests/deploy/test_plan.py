"""The semantic diff, drift detection, saved plans and the three renderers."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from deploy_fixtures import build_manifest, switch_active, text_of

import regctl.deploy.plan as plan_mod
from regctl.base.canonical import seal
from regctl.base.errors import RegctlError
from regctl.deploy.plan import Plan, make_plan, semantic_diff
from regctl.deploy.render import render_json, render_markdown, render_text
from regctl.deploy.targets import Deployed


def _plan(old: dict[str, Any] | None, new: dict[str, Any], history: set[str] | None = None) -> Plan:
    deployed = Deployed(None if old is None else text_of(old).encode())
    hist = history if history is not None else ({old["digest"]} if old else set())
    return make_plan(
        new,
        text_of(new),
        deployed,
        target="file:t.json",
        target_location="file:/abs/t.json",
        history=hist,
    )


def _by(plan: Plan, kind: str) -> dict[str, Any]:
    return {c.id: c for c in plan.changes if c.kind == kind}


def test_activation_switch_is_named_per_provider_and_capability() -> None:
    old = build_manifest()
    plan = _plan(old, switch_active(old))
    act = _by(plan, "activation")["openai chat"]
    assert (act.action, act.old, act.new) == ("update", "openai/gpt-4o", "openai/gpt-4o-mini")
    assert "openai chat: gpt-4o -> gpt-4o-mini" in render_text(plan)
    models = _by(plan, "model")
    assert set(models) == {"openai/gpt-4o", "openai/gpt-4o-mini"}
    assert plan.changed and plan.drift is None


def test_prices_credentials_defaults_fallbacks_and_entities() -> None:
    old = build_manifest()
    new = copy.deepcopy(old)
    new["models"]["anthropic/claude"]["pricing"]["input_per_mtok"] = 3.6
    new["providers"]["openai"]["credentials"] = ["env:OPENAI_API_KEY", "env:OPENAI_KEY_2"]
    new["defaults"]["chat"] = "anthropic"
    new["fallbacks"]["chat"] = ["openai"]
    del new["models"]["openai/gpt-4o-mini"]
    new["models"]["openai/o3"] = dict(old["models"]["openai/gpt-4o-mini"], id="o3")
    new["providers"]["mistral"] = dict(old["providers"]["openai"], id="mistral")
    plan = _plan(old, seal(new))

    price = _by(plan, "model")["anthropic/claude"].fields
    assert [(f.path, f.old, f.new, f.percent) for f in price] == [
        ("pricing.input_per_mtok", 3.0, 3.6, 20.0)
    ]
    cred = _by(plan, "provider")["openai"].fields[0]
    assert cred.path == "credentials" and cred.new == ["env:OPENAI_API_KEY", "env:OPENAI_KEY_2"]
    assert _by(plan, "provider")["mistral"].action == "create"
    assert _by(plan, "model")["openai/gpt-4o-mini"].action == "delete"
    assert _by(plan, "model")["openai/o3"].action == "create"
    assert (_by(plan, "default")["chat"].old, _by(plan, "default")["chat"].new) == (
        "openai",
        "anthropic",
    )
    assert _by(plan, "fallback")["chat"].new == ["openai"]
    assert plan.summary() == {"add": 2, "change": 4, "remove": 1}

    text = render_text(plan)
    assert "~ pricing.input_per_mtok: 3.0 -> 3.6 (+20.0%)" in text
    assert "(credential references)" in text
    assert "+ model openai/o3" in text and "- model openai/gpt-4o-mini" in text
    assert "Plan: 2 to add, 4 to change, 1 to remove." in text


def test_no_changes_and_nothing_deployed() -> None:
    doc = build_manifest()
    same = _plan(doc, doc)
    assert not same.changed and same.changes == []
    assert "No changes" in render_text(same)
    first = _plan(None, doc)
    assert first.changed and first.deployed_digest is None
    assert {c.id for c in first.changes if c.kind == "model"} == set(doc["models"])


def test_only_changed_entities_are_deep_diffed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = plan_mod.field_changes
    monkeypatch.setattr(plan_mod, "field_changes", lambda o, n: calls.append(o) or real(o, n))
    old = build_manifest(extra_models=2000)
    new = copy.deepcopy(old)
    new["models"]["openai/bulk-01234"]["display_name"] = "Renamed"
    plan = _plan(old, seal(new))
    assert [c.id for c in plan.changes] == ["openai/bulk-01234"]
    assert len(calls) == 1


def test_drift_hand_edit_and_unknown_manifest() -> None:
    old = build_manifest()
    edited = copy.deepcopy(old)
    edited["defaults"]["chat"] = "anthropic"  # digest no longer matches
    plan = make_plan(
        old,
        text_of(old),
        Deployed(text_of(edited).encode()),
        target="t",
        target_location="t",
        history={old["digest"]},
    )
    assert plan.drift and "edited by hand" in plan.drift
    assert plan.changed  # same digest claimed, but the content must be restored
    assert "warning: drift" in render_text(plan)

    stranger = seal(edited)
    plan2 = _plan(stranger, old, history={old["digest"]})
    assert plan2.drift and "not in the target's history" in plan2.drift
    # HTTP targets keep no history: a digest-valid manifest is not called drift.
    assert _plan(stranger, old, history=None).drift is None  # type: ignore[arg-type]


def test_garbage_at_target_refuses_to_plan_unless_forced() -> None:
    doc = build_manifest()
    garbage = Deployed(b"<html>oops</html>")
    with pytest.raises(RegctlError, match="not a regctl manifest: it is not valid JSON"):
        make_plan(doc, text_of(doc), garbage, target="t", target_location="t", history=set())
    forced = make_plan(
        doc,
        text_of(doc),
        garbage,
        target="t",
        target_location="t",
        history=set(),
        ignore_invalid=True,
    )
    assert forced.changed and forced.drift and "not a regctl manifest" in forced.drift


def test_saved_plan_round_trip_and_tamper_check() -> None:
    old = build_manifest()
    plan = _plan(old, switch_active(old))
    saved = json.loads(json.dumps(plan.as_dict(with_manifest=True)))
    again = Plan.from_dict(saved)
    assert again.as_dict() == plan.as_dict()
    assert again.deployed_fingerprint == Deployed(text_of(old).encode()).fingerprint
    saved["manifest"] = saved["manifest"].replace("gpt-4o-mini", "gpt-evil", 1)
    with pytest.raises(RegctlError, match="does not match its digest"):
        Plan.from_dict(saved)
    with pytest.raises(RegctlError, match="not a regctl plan"):
        Plan.from_dict({"kind": "Manifest"})


def test_renderers() -> None:
    old = build_manifest()
    plan = _plan(old, switch_active(old))
    assert "\x1b[" not in render_text(plan, color=False)
    assert "\x1b[33m~ openai chat" in render_text(plan, color=True)
    doc = json.loads(render_json(plan))
    assert doc["kind"] == "Plan" and doc["changed"] is True and "manifest" not in doc
    md = render_markdown(plan)
    assert "### regctl plan: `prod` → `file:t.json`" in md
    assert "| ~ | `openai chat` | `gpt-4o` | `gpt-4o-mini` |" in md
    assert "**0 to add, 3 to change, 0 to remove**" in md


def test_markdown_caps_rows_for_job_summaries() -> None:
    doc = build_manifest(extra_models=450)
    md = render_markdown(_plan(None, doc))
    assert "… and 253 more models changes" in md
    assert md.count("| + |") < 450


def test_environment_change_is_reported() -> None:
    assert semantic_diff(build_manifest(env="dev"), build_manifest(env="prod"))[0].as_dict() == {
        "kind": "environment",
        "action": "update",
        "id": "environment",
        "old": "dev",
        "new": "prod",
    }
