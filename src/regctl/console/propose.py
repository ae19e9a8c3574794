"""Propose a change: make a model the active one for a capability, as a pull request would.

The registry is edited in memory by ``regctl activate``'s own code
(:func:`regctl.authoring.activate.change_active` with ``dry_run``: the same lines it
would write) and validated in memory; the page shows the unified diff, the command, and
the patch to download. Nothing is written: the server has no write path.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.responses import Response

from regctl.authoring.activate import change_active
from regctl.authoring.validation import validate_candidate
from regctl.base.errors import RegctlError
from regctl.base.i18n import Msg, translate
from regctl.client.errors import ClientError
from regctl.console.page import Context, Out, Problem, common, ready
from regctl.console.state import ConsoleState
from regctl.io import safeio

MAX_FILE = 16 * 1024 * 1024
BUSY_WAIT = 20.0


@dataclass(frozen=True)
class Proposal:
    """What a pull request would carry: the patch, the command, what else changes."""

    patch: str
    command: str
    files: tuple[str, ...]
    others: tuple[Any, ...]
    filename: str


def _repo_root(registry: Path) -> Path:
    """The git work tree the registry is in (patch paths are relative to it), else the
    registry's parent folder."""
    here = registry.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here.parent


def _quote(arg: str) -> str:
    """``arg`` for a POSIX shell: as it is when plain, else single-quoted."""
    if re.fullmatch(r"[A-Za-z0-9._/:@=+-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def make_proposal(registry: Path, key: str, capability: str, env: str | None) -> Proposal:
    """The edit ``regctl activate KEY --capability CAP [--env ENV]`` would make, validated.

    Raises :class:`RegctlError` (unknown model or capability, an edit that would not
    validate, a file that cannot be read).
    """
    provider, _, model = key.partition("/")
    outcome = change_active(
        registry, provider, model, (capability,), env=env, activate=True, dry_run=True
    )
    root = _repo_root(registry)
    parts = []
    names = []
    for path, new in zip(outcome.files, outcome.texts, strict=True):
        old = safeio.read_text(path, MAX_FILE)
        rel = Path(path).resolve().relative_to(root).as_posix()
        names.append(rel)
        body = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{rel}",
            f"b/{rel}",
        )
        text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in body)  # fmt: skip
        if text:
            parts.append(f"diff --git a/{rel} b/{rel}\n" + text)
    if outcome.files:
        validate_candidate(registry, outcome.overrides())
    command = f"regctl activate {_quote(key)} --capability {_quote(capability)}"
    if env:
        command += f" --env {_quote(env)}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"activate-{key}-{capability}").strip("-.")
    return Proposal("".join(parts), command, tuple(names), outcome.others, slug[:120] + ".patch")


def _inputs(state: ConsoleState, ctx: Context) -> tuple[str, str, str | None]:
    key = ctx.param("model", 400).strip()
    capability = ctx.param("capability", 100).strip()
    env = ctx.param("env", 100).strip() or None
    return key, capability, env


def _proposal(state: ConsoleState, ctx: Context) -> tuple[Proposal | None, str | None]:
    key, capability, env = _inputs(state, ctx)
    registry = state.options.registry
    if not key or not capability or registry is None:
        return None, None
    if not state.propose_gate.acquire(timeout=BUSY_WAIT):
        raise Problem(503, "busy")
    try:
        return make_proposal(registry, key, capability, env), None
    except RegctlError as exc:
        said = exc.args[0] if exc.args and isinstance(exc.args[0], Msg) else str(exc)
        return None, translate(said, ctx.lang)
    finally:
        state.propose_gate.release()


def propose_page(state: ConsoleState, ctx: Context) -> Out:
    snap = ready(state)
    key, capability, env = _inputs(state, ctx)
    proposal, error = _proposal(state, ctx)
    try:
        m = snap.registry.model(key) if key else None
        current = snap.registry.active_model(m.provider, capability) if m and capability else None
    except ClientError:  # an unknown model or capability: the proposal's error says which
        m = current = None
    context = common(state, snap, "propose")
    context.update(
        key=key,
        capability=capability,
        env=env or "",
        m=m,
        current=current if current is None or current.key != key else None,
        already=current is not None and current.key == key,
        capabilities=sorted(snap.registry.capabilities),
        registry=state.options.registry,
        environment=snap.registry.environment,
        proposal=proposal,
        error=error,
        diff_lines=_classify(proposal.patch) if proposal else [],
    )
    return "propose.html.j2", context, 200


def _classify(patch: str) -> list[tuple[str, str]]:
    out = []
    for line in patch.splitlines():
        kind = ""
        if line.startswith(("+++", "---", "diff --git")):
            kind = "file"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        elif line.startswith("@@"):
            kind = "hunk"
        out.append((kind, line))
    return out


def propose_patch(state: ConsoleState, ctx: Context) -> Out:
    ready(state)
    proposal, error = _proposal(state, ctx)
    if proposal is None:
        raise Problem(400, "bad_request", error or "pick a model and a capability")
    return Response(
        proposal.patch.encode("utf-8"),
        media_type="text/x-diff; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{proposal.filename}"'},
    )
