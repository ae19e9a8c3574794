"""Plan, apply and rollback as library calls (the CLI in :mod:`regctl.cli.deploy` is thin).

Target resolution: ``--target URI`` wins (a relative file path is relative to the
current directory); otherwise the Registry document's ``targets[<env>]``, where a
relative ``file:`` path is relative to the registry folder's *parent* (the
repository root), so ``file:deploy/prod/manifest.lock.json`` in ``registry/``
means ``<repo>/deploy/prod/manifest.lock.json`` wherever regctl runs from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from regctl.base.canonical import DIGEST_PREFIX, compute_digest
from regctl.base.errors import RegctlError, UsageError
from regctl.base.i18n import msg
from regctl.deploy.plan import Plan, make_plan
from regctl.deploy.targets import Deployed, Target, WriteResult, open_target, resolve_uri
from regctl.io import safeio

if TYPE_CHECKING:
    from regctl.pipeline.compile import CompileResult


class StalePlan(RegctlError):
    """The target changed after the saved plan was made."""


@dataclass
class ResolvedTarget:
    """An open target plus how to show it (as configured) and find it again (absolute)."""

    target: Target
    display: str
    location: str

    def history(self) -> set[str] | None:
        """Digests kept by the target, ``None`` when it keeps no history."""
        return self.target.history_digests() if self.target.supports_history else None


def registry_targets(root: Path) -> dict[str, str]:
    """``targets`` of the Registry document under ``root`` (environment → URI)."""
    from regctl.io import safeio
    from regctl.pipeline.source import MAX_FILE_BYTES

    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        try:
            docs = list(yaml.safe_load_all(safeio.read_text(path, MAX_FILE_BYTES)))
        except (yaml.YAMLError, safeio.SafeReadError, RecursionError, ValueError):
            continue  # validation reports broken files; here we only look for targets
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "Registry":
                targets = doc.get("targets") or {}
                if isinstance(targets, dict):
                    return {str(k): str(v) for k, v in targets.items()}
    return {}


def resolve_target(root: Path | None, env: str | None, target_uri: str | None) -> ResolvedTarget:
    """The target for ``env``: ``--target`` or the Registry document's ``targets``."""
    if target_uri:
        base = Path.cwd()
        display = target_uri
    else:
        targets = registry_targets(root) if root is not None and root.is_dir() else {}
        key = env or "default"
        if key not in targets:
            if env is None:
                raise UsageError(msg("no deploy target: pass --target URI or --env ENV"))
            raise UsageError(
                msg(
                    "no deploy target for environment '{env}': pass --target URI or set "
                    "targets.{key} in the Registry document",
                    env=env,
                    key=key,
                )
            )
        display = targets[key]
        base = (root or Path.cwd()).resolve().parent
    location = resolve_uri(display, base)
    target = open_target(location, base, display=display, operator=bool(target_uri))
    return ResolvedTarget(target, display, location)


def compile_manifest(root: Path, env: str | None) -> CompileResult:
    """Compile ``root`` for ``env`` (``result.manifest`` is ``None`` when it has errors)."""
    from regctl.pipeline.compile import compile_registry

    if not root.is_dir():
        raise UsageError(msg("registry folder not found: {path}", path=str(root)))
    return compile_registry(root, env=env)


def plan_for(
    manifest: dict[str, Any],
    text: str,
    rt: ResolvedTarget,
    *,
    force: bool = False,
    deployed: Deployed | None = None,
) -> tuple[Plan, Deployed]:
    """Diff ``manifest`` against the target (read now unless ``deployed`` is given).

    ``force`` plans over a target that holds something that is not a manifest.
    """
    if deployed is None:
        deployed = rt.target.read()
    plan = make_plan(
        manifest,
        text,
        deployed,
        target=rt.display,
        target_location=rt.location,
        history=rt.history(),
        ignore_invalid=force,
    )
    return plan, deployed


#: The largest plan file read (it holds a manifest, whose cap is 256 MiB).
MAX_PLAN_BYTES = 512 * 1024 * 1024


def load_plan(path: Path) -> Plan:
    """Read a plan saved with ``plan -o`` (a regular file, at most :data:`MAX_PLAN_BYTES`)."""
    try:
        doc = json.loads(safeio.read_text(path, MAX_PLAN_BYTES))
    except safeio.FileMissing:
        raise UsageError(msg("plan file not found: {path}", path=str(path))) from None
    except (safeio.SafeReadError, ValueError, RecursionError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise RegctlError(
            msg("cannot read plan file {path}: {detail}", path=str(path), detail=detail)
        ) from None
    if not isinstance(doc, dict):
        raise RegctlError(msg("{path} is not a regctl plan file", path=str(path)))
    return Plan.from_dict(doc)


def check_fresh(plan: Plan, deployed: Deployed) -> None:
    """Refuse a saved plan when the target no longer holds what it was made against."""
    if deployed.fingerprint != plan.deployed_fingerprint:
        now = deployed.digest or deployed.fingerprint or "nothing"
        was = plan.deployed_digest or plan.deployed_fingerprint or "nothing"
        if now == was:
            # Same digest, other bytes (rewritten, or other provenance): show what differs.
            now = f"{now} as other bytes ({deployed.fingerprint})"
            was = f"its earlier bytes ({plan.deployed_fingerprint})"
        raise StalePlan(
            msg(
                "stale plan: target {target} now holds {now}, but the plan was made "
                "against {was}; run regctl plan again",
                target=plan.target,
                now=now,
                was=was,
            )
        )


def apply(plan: Plan, rt: ResolvedTarget, deployed: Deployed) -> WriteResult:
    """Write the plan's manifest iff the target still holds ``deployed``."""
    if plan.manifest_text is None:
        raise RegctlError(msg("the plan holds no manifest to apply"))
    return rt.target.write(plan.manifest_text, plan.digest, expected=deployed)


def find_in_history(rt: ResolvedTarget, wanted: str | None, current: str | None) -> str:
    """The digest to roll back to: ``wanted`` (a digest or unique prefix) or the previous one."""
    if not rt.target.supports_history:
        rt.target.load_history(wanted or "")  # raises the target's own explanation
    if wanted is None:
        for entry in reversed(rt.target.history()):
            if entry.digest != current:
                return entry.digest
        raise RegctlError(
            msg("target {target} has no earlier manifest to roll back to", target=rt.display)
        )
    needle = wanted if wanted.startswith(DIGEST_PREFIX) else DIGEST_PREFIX + wanted
    if len(needle) < len(DIGEST_PREFIX) + 6:
        raise UsageError(msg("--to needs a digest or a prefix of at least 6 hex digits"))
    matches = sorted(d for d in rt.target.history_digests() if d.startswith(needle))
    if not matches:
        raise RegctlError(
            msg(
                "{digest} is not in the history of target {target}",
                digest=wanted,
                target=rt.display,
            )
        )
    if len(matches) > 1:
        raise UsageError(
            msg("{digest} is ambiguous: {matches}", digest=wanted, matches=", ".join(matches))
        )
    return matches[0]


def history_manifest(rt: ResolvedTarget, digest: str) -> tuple[dict[str, Any], str]:
    """Load and verify a manifest from the target's history."""
    text = rt.target.load_history(digest)
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError:
        raise RegctlError(
            msg("history entry {digest} of {target} is damaged", digest=digest, target=rt.display)
        ) from None
    if not isinstance(manifest, dict) or compute_digest(manifest) != digest:
        raise RegctlError(
            msg(
                "history entry {digest} of {target} does not match its digest",
                digest=digest,
                target=rt.display,
            )
        )
    return manifest, text
