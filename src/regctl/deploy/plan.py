"""The semantic diff between a deployed manifest and a newly compiled one.

Entities are matched by id (providers by id, models by ``provider/model``,
templates by id, activations by provider+capability) and compared for equality
first; only the few that differ go through deepdiff to find which fields
changed. A plan over 10,000 models where one changed therefore costs one
C-level ``==`` per entity plus one small deepdiff, never a diff of the whole
document (linear, not quadratic).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff

from regctl.base.canonical import compute_digest
from regctl.base.errors import RegctlError
from regctl.deploy.targets.base import Deployed

PLAN_KIND = "Plan"
PLAN_API_VERSION = "regctl/v1"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    """One changed field of an entity: dotted ``path``, ``old`` → ``new`` (MISSING if absent)."""

    path: str
    old: Any
    new: Any
    percent: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.old is not MISSING:
            out["old"] = self.old
        if self.new is not MISSING:
            out["new"] = self.new
        if self.percent is not None:
            out["percent"] = self.percent
        return out


@dataclass(frozen=True)
class Change:
    """One added (``create``), removed (``delete``) or changed (``update``) thing.

    ``kind`` is ``provider``, ``model``, ``template``, ``activation``, ``default``,
    ``fallback``, ``registry`` or ``environment``. For entities ``fields`` lists the
    changed fields; for the small keyed values (activations, defaults, fallbacks,
    environment) ``old``/``new`` hold the values themselves.
    """

    kind: str
    action: str
    id: str
    fields: tuple[FieldChange, ...] = ()
    old: Any = MISSING
    new: Any = MISSING

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "action": self.action, "id": self.id}
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        if self.old is not MISSING:
            out["old"] = self.old
        if self.new is not MISSING:
            out["new"] = self.new
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Change:
        fields = tuple(
            FieldChange(f["path"], f.get("old", MISSING), f.get("new", MISSING), f.get("percent"))
            for f in d.get("fields", ())
        )
        return cls(
            d["kind"], d["action"], d["id"], fields, d.get("old", MISSING), d.get("new", MISSING)
        )


def _get_path(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        else:
            return MISSING
    return doc


def _percent(path: tuple[Any, ...], old: Any, new: Any) -> float | None:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (old, new))
    if path and path[0] == "pricing" and numbers and old:
        return round(float(new - old) / float(old) * 100, 1)
    return None


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Which fields differ between two versions of one entity (deepdiff, lists as leaves).

    A list (capabilities, credentials, fallbacks) is reported as a whole, old list →
    new list, which is what a reviewer wants to read rather than index-level edits.
    """
    diff = DeepDiff(dict(old), dict(new), view="tree")
    paths: set[tuple[Any, ...]] = set()
    for levels in diff.values():
        for level in levels:
            parts = level.path(output_format="list")
            cut: list[Any] = []
            for part in parts:
                if isinstance(part, int):
                    break
                cut.append(part)
            paths.add(tuple(cut))
    # Keep the outermost path when one change is inside another (a whole list, say).
    outer = [p for p in paths if not any(q != p and p[: len(q)] == q for q in paths)]
    changes = []
    for path in sorted(outer, key=lambda p: [str(x) for x in p]):
        old_v, new_v = _get_path(old, path), _get_path(new, path)
        dotted = ".".join(str(p) for p in path) or "(whole)"
        changes.append(FieldChange(dotted, old_v, new_v, _percent(path, old_v, new_v)))
    return tuple(changes)


def _same(old: Any, new: Any) -> bool:
    """Semantic equality of two JSON values.

    Python's ``==`` on parsed JSON is exact for strings, lists and objects and
    numeric across ``1``/``1.0`` (the same price, not a change a reviewer needs);
    it runs in C, several times faster than serializing both sides canonically.
    """
    return bool(old == new)


def diff_entities(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Entities matched by key; equal canonical JSON is skipped before any deepdiff."""
    changes = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            changes.append(Change(kind, "create", key, new=new[key]))
        elif key not in new:
            changes.append(Change(kind, "delete", key, old=old[key]))
        elif not _same(old[key], new[key]):
            changes.append(Change(kind, "update", key, field_changes(old[key], new[key])))
    return changes


def diff_values(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Small keyed values (defaults, fallbacks, activations): old value → new value."""
    changes = []
    for key in sorted(old.keys() | new.keys()):
        o, n = old.get(key, MISSING), new.get(key, MISSING)
        if o is MISSING:
            changes.append(Change(kind, "create", key, new=n))
        elif n is MISSING:
            changes.append(Change(kind, "delete", key, old=o))
        elif not _same(o, n):
            changes.append(Change(kind, "update", key, old=o, new=n))
    return changes


def _activations(manifest: Mapping[str, Any]) -> dict[str, str]:
    flat = {}
    for provider, caps in (manifest.get("active") or {}).items():
        for capability, model in (caps or {}).items():
            flat[f"{provider} {capability}"] = model
    return flat


def _section(manifest: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = manifest.get(key)
    return value if isinstance(value, dict) else {}


def semantic_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` (``None``: nothing deployed) to ``new``, grouped by kind."""
    before: Mapping[str, Any] = old or {}
    changes: list[Change] = []
    if old is not None and before.get("environment") != new.get("environment"):
        changes.append(
            Change(
                "environment",
                "update",
                "environment",
                old=before.get("environment"),
                new=new.get("environment"),
            )
        )
    changes += diff_values("activation", _activations(before), _activations(new))
    for kind, key in (("provider", "providers"), ("model", "models"), ("template", "templates")):
        changes += diff_entities(kind, _section(before, key), _section(new, key))
    changes += diff_values("default", _section(before, "defaults"), _section(new, "defaults"))
    changes += diff_values("fallback", _section(before, "fallbacks"), _section(new, "fallbacks"))
    if old is not None:
        changes += diff_entities(
            "registry",
            {"registry": _section(before, "registry")},
            {"registry": _section(new, "registry")},
        )
    return changes


def detect_drift(deployed: Deployed, history: set[str] | None) -> str | None:
    """Why the deployed manifest is not one that ``apply`` wrote, or ``None``.

    ``history`` is the set of digests the target kept (``None`` when the target
    keeps no history, e.g. HTTP: then only a digest mismatch reveals a hand edit).
    An empty history says nothing either: a file target committed to git and checked
    out fresh in CI has its manifest but not its (ignored) history folder.
    """
    if deployed.manifest is None:
        return None
    if not deployed.digest_ok:
        return (
            "the deployed manifest was edited by hand: its digest "
            f"{deployed.digest or '(missing)'} does not match its content"
        )
    if history and deployed.digest not in history:
        return (
            f"the deployed manifest {deployed.digest} was not written by regctl apply "
            "(it is not in the target's history)"
        )
    return None


@dataclass
class Plan:
    """A reviewed change of one target: what is deployed, what will be, and the diff."""

    environment: str | None
    target: str
    target_location: str
    digest: str
    deployed_digest: str | None
    deployed_fingerprint: str | None
    changed: bool
    changes: list[Change] = field(default_factory=list)
    drift: str | None = None
    source: dict[str, Any] | None = None
    deployed_source: dict[str, Any] | None = None
    manifest_text: str | None = None

    def summary(self) -> dict[str, int]:
        """Counts by action, like Terraform's ``N to add, N to change, N to destroy``."""
        counts = {"add": 0, "change": 0, "remove": 0}
        names = {"create": "add", "update": "change", "delete": "remove"}
        for c in self.changes:
            counts[names[c.action]] += 1
        return counts

    def as_dict(self, *, with_manifest: bool = False) -> dict[str, Any]:
        """The JSON form (``--format json``; with the manifest for ``-o plan.json``)."""
        out: dict[str, Any] = {
            "apiVersion": PLAN_API_VERSION,
            "kind": PLAN_KIND,
            "environment": self.environment,
            "target": self.target,
            "target_location": self.target_location,
            "digest": self.digest,
            "deployed": {
                "digest": self.deployed_digest,
                "fingerprint": self.deployed_fingerprint,
                "source": self.deployed_source,
            },
            "source": self.source,
            "changed": self.changed,
            "drift": self.drift,
            "summary": self.summary(),
            "changes": [c.as_dict() for c in self.changes],
        }
        if with_manifest:
            out["manifest"] = self.manifest_text
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        """Read a saved plan; the embedded manifest must match the planned digest."""
        if d.get("kind") != PLAN_KIND or d.get("apiVersion") != PLAN_API_VERSION:
            raise RegctlError("not a regctl plan file (kind: Plan, apiVersion: regctl/v1)")
        try:
            text = d["manifest"]
            plan = cls(
                environment=d["environment"],
                target=d["target"],
                target_location=d["target_location"],
                digest=d["digest"],
                deployed_digest=d["deployed"]["digest"],
                deployed_fingerprint=d["deployed"]["fingerprint"],
                changed=bool(d["changed"]),
                changes=[Change.from_dict(c) for c in d["changes"]],
                drift=d.get("drift"),
                source=d.get("source"),
                deployed_source=d["deployed"].get("source"),
                manifest_text=text,
            )
            manifest = json.loads(text)
        except (KeyError, TypeError, ValueError) as exc:
            raise RegctlError(f"plan file is incomplete or damaged ({exc!s})") from None
        if compute_digest(manifest) != plan.digest or manifest.get("digest") != plan.digest:
            raise RegctlError("plan file is damaged: its manifest does not match its digest")
        return plan


def make_plan(
    manifest: dict[str, Any],
    manifest_text: str,
    deployed: Deployed,
    *,
    target: str,
    target_location: str,
    history: set[str] | None,
    ignore_invalid: bool = False,
) -> Plan:
    """Diff ``manifest`` against ``deployed``.

    A target holding something that is not a manifest is an error (nothing sensible
    can be diffed or safely replaced) unless ``ignore_invalid``: then it is planned
    over as if empty, and reported as drift.
    """
    drift = detect_drift(deployed, history)
    old = deployed.manifest
    if deployed.exists and old is None:
        if not ignore_invalid:
            raise RegctlError(
                f"target {target} holds something that is not a regctl manifest: "
                f"{deployed.problem}; fix it by hand, or overwrite it with apply --force"
            )
        drift = f"the target holds something that is not a regctl manifest: {deployed.problem}"
    digest = manifest["digest"]
    unchanged = deployed.digest == digest and deployed.digest_ok
    return Plan(
        environment=manifest.get("environment"),
        target=target,
        target_location=target_location,
        digest=digest,
        deployed_digest=deployed.digest,
        deployed_fingerprint=deployed.fingerprint,
        changed=not unchanged,
        changes=[] if unchanged else semantic_diff(old, manifest),
        drift=drift,
        source=manifest.get("source"),
        deployed_source=old.get("source") if old else None,
        manifest_text=manifest_text,
    )
