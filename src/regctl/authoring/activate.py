"""``regctl activate`` / ``regctl deactivate``: switch a model's ``active`` flag in place.

Activating model M for capabilities C makes M active for C and removes C from every other
model of the same provider that was active for one of them, so the single-active rule
keeps holding. With ``--env`` the edits go into that Environment's overlay instead of the
base files. The edited text is validated before anything is written, and each file is
written atomically and only if it did not change on disk since it was read.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from regctl.authoring.files import Snapshot, write_checked
from regctl.authoring.patch import (
    ActiveValue,
    CannotPatch,
    Splice,
    apply_splices,
    insert_key,
    replace_value,
    set_in_tree,
)
from regctl.authoring.rtindex import FileDocs, ModelNode, RegistryIndex, load_index
from regctl.authoring.validation import validate_candidate
from regctl.errors import RegctlError
from regctl.i18n import msg

# Where a new ``active`` key goes: after the fields that precede it in the schema's
# field order (docs/reference.md).
_ACTIVE_AFTER = ("capabilities", "display_name", "upstream_id", "id")


@dataclass(frozen=True)
class Change:
    """One model whose active capabilities change."""

    provider: str
    model: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(c for c in self.before if c not in self.after)


@dataclass(frozen=True)
class Outcome:
    """What ``activate``/``deactivate`` did (or, with nothing to do, would have done)."""

    target: Change
    others: tuple[Change, ...]
    files: tuple[Path, ...]


def _active_set(value: Any, caps: list[str], where: str) -> list[str]:
    from ruamel.yaml.scalarbool import ScalarBoolean

    if isinstance(value, ScalarBoolean):  # an anchored boolean (``active: &off false``)
        value = bool(value)
    if value is None or value is False:
        return []
    if value is True:
        return list(caps)
    if isinstance(value, list) and all(isinstance(c, str) for c in value):
        return [str(c) for c in value]
    raise RegctlError(
        msg("{where}: 'active' must be true, false or a list of capabilities", where=str(where))
    )


def _as_value(active: list[str], caps: list[str]) -> ActiveValue:
    if not active:
        return False
    if caps and set(active) >= set(caps):
        return True
    return [c for c in caps if c in active] + [c for c in active if c not in caps]


@dataclass
class _Target:
    """The mapping an edit goes into, and how to reach it if it does not exist yet."""

    file: FileDocs
    node: CommentedMap | None
    create: tuple[CommentedMap, tuple[str, ...]] | None = None  # (env doc, key path)


class _Session:
    def __init__(self, index: RegistryIndex, env: str | None) -> None:
        self.index = index
        self.env = env
        self.env_doc: tuple[FileDocs, CommentedMap] | None = None
        if env is not None:
            if env not in index.environments:
                known = ", ".join(sorted(index.environments)) or msg("none")
                raise RegctlError(
                    msg("unknown environment '{env}' (known: {known})", env=env, known=known)
                )
            self.env_doc = index.environments[env]

    def overlay(self, m: ModelNode) -> CommentedMap | None:
        if self.env_doc is None:
            return None
        node: Any = self.env_doc[1]
        for key in ("providers", m.provider, "models", m.id):
            if not isinstance(node, CommentedMap) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, CommentedMap) else None

    def caps(self, m: ModelNode) -> list[str]:
        ov = self.overlay(m)
        if ov is not None and isinstance(ov.get("capabilities"), list):
            return [str(c) for c in ov["capabilities"]]
        return m.capabilities()

    def active(self, m: ModelNode) -> list[str]:
        ov = self.overlay(m)
        where = f"{self.index.display(m.file.path)}: model {m.provider}/{m.id}"
        if ov is not None and "active" in ov:
            return _active_set(ov["active"], self.caps(m), where)
        return _active_set(m.node.get("active"), m.capabilities(), where)

    def target(self, m: ModelNode) -> _Target:
        if self.env_doc is None:
            return _Target(m.file, m.node)
        ov = self.overlay(m)
        if ov is not None:
            return _Target(self.env_doc[0], ov)
        path = ("providers", m.provider, "models", m.id)
        return _Target(self.env_doc[0], None, (self.env_doc[1], path))


def _find_model(index: RegistryIndex, provider: str, model: str) -> ModelNode:
    if provider not in index.providers and not index.provider_models(provider):
        hint = difflib.get_close_matches(provider, list(index.providers), n=1)
        extra = msg("; did you mean '{match}'?", match=hint[0]) if hint else ""
        raise RegctlError(msg("unknown provider '{provider}'{hint}", provider=provider, hint=extra))
    found = index.models.get((provider, model))
    if found is None:
        ids = [m.id for m in index.provider_models(provider)]
        hint = difflib.get_close_matches(model, ids, n=1)
        extra = msg("; did you mean '{match}'?", match=hint[0]) if hint else ""
        raise RegctlError(
            msg(
                "provider '{provider}' has no model '{model}'{hint}",
                provider=provider,
                model=model,
                hint=extra,
            )
        )
    return found


def change_active(
    root: Path,
    provider: str,
    model: str,
    capabilities: tuple[str, ...] = (),
    *,
    env: str | None = None,
    activate: bool = True,
    dry_run: bool = False,
) -> Outcome:
    """Activate (or deactivate) ``provider/model`` for ``capabilities`` (default: all of them).

    Raises :class:`RegctlError` for an unknown provider, model, environment or capability,
    when the result would not validate, or when a file changed on disk meanwhile; in every
    such case no file is written.
    """
    # Every file that defines or overlays this provider's models names the provider; the
    # environment file names its id. Other files cannot matter to this edit.
    index = load_index(root, mentioning=(provider,) + ((env,) if env else ()))
    if not index.provider_models(provider) or (env and env not in index.environments):
        index = load_index(root)  # about to fail: read everything for the did-you-mean hints
    session = _Session(index, env)
    target = _find_model(index, provider, model)
    caps = session.caps(target)
    missing = [c for c in capabilities if c not in caps]
    if missing:
        raise RegctlError(
            msg(
                "model '{model}' has no capability {missing} (it has: {caps})",
                model=f"{provider}/{model}",
                missing=", ".join(map(repr, missing)),
                caps=", ".join(caps) or msg("none"),
            )
        )
    wanted = list(dict.fromkeys(capabilities)) or list(caps)
    before = session.active(target)
    if activate:
        after = before + [c for c in wanted if c not in before]
    else:
        after = [c for c in before if c not in wanted]
    edits: list[tuple[ModelNode, list[str]]] = []
    main = Change(provider, model, tuple(before), tuple(after))
    if after != before:
        edits.append((target, after))
    others: list[Change] = []
    if activate:
        for other in index.provider_models(provider):
            if other is target:
                continue
            o_before = session.active(other)
            o_after = [c for c in o_before if c not in wanted]
            if o_after != o_before:
                others.append(Change(provider, other.id, tuple(o_before), tuple(o_after)))
                edits.append((other, o_after))
    files = _render(session, edits)
    planned = {(provider, model)} | {(provider, o.model) for o in others}
    _refuse_shared(index, files, planned)
    if files and not dry_run:
        validate_candidate(root, {snap.path: text for snap, text in files}, env=env)
        write_checked(files)
    return Outcome(main, tuple(others), tuple(s.path for s, _ in files))


def _render(
    session: _Session, edits: list[tuple[ModelNode, list[str]]]
) -> list[tuple[Snapshot, str]]:
    """The new text of every file the edits touch."""
    by_file: dict[Path, list[tuple[_Target, ActiveValue]]] = {}
    files: dict[Path, FileDocs] = {}
    for m, active in edits:
        t = session.target(m)
        by_file.setdefault(t.file.path, []).append((t, _as_value(active, session.caps(m))))
        files[t.file.path] = t.file
    out = []
    for path, items in by_file.items():
        fd = files[path]
        out.append((fd.snapshot, _render_file(fd, items)))
    return out


def _own_keys(node: CommentedMap) -> set[Any]:
    """Keys written in this mapping itself, not brought in by a merge key (``<<: *base``)."""
    own = getattr(node, "_ok", None)
    return set(own) if own is not None else set(node)


def _render_file(fd: FileDocs, items: list[tuple[_Target, ActiveValue]]) -> str:
    lines = fd.snapshot.text.splitlines(keepends=True)
    splices: list[Splice] = []
    try:
        for t, value in items:
            if t.node is None:
                raise CannotPatch("overlay entry does not exist yet")
            if _own_keys(t.node) != set(t.node):
                # A merged mapping: text positions of merged keys belong to the anchor's
                # mapping; editing there would change every model that merges it.
                raise CannotPatch("mapping with merge keys")
            if "active" in t.node:
                splices.append(replace_value(lines, t.node, "active", value))
            else:
                splices.append(insert_key(lines, t.node, "active", value, _ACTIVE_AFTER))
        return apply_splices(fd.snapshot.text, splices)
    except (CannotPatch, KeyError):
        pass
    # Fallback: edit the round-trip tree and dump the whole file (comments survive).
    for t, value in items:
        node = t.node
        if node is None:
            assert t.create is not None
            doc, path = t.create
            node = doc
            for key in path:
                if not isinstance(node.get(key), CommentedMap):
                    node[key] = CommentedMap()
                node = node[key]
        if "active" in node and "active" not in _own_keys(node):
            # Give this model its own key: it overrides the merged value, and the
            # anchor (shared with other models) stays as it was.
            node["active"] = _tree_value(value)
        else:
            set_in_tree(node, "active", value, _ACTIVE_AFTER)
    from regctl.authoring.fmt import dump_documents

    return dump_documents(fd.docs, fd.snapshot.text)


def _tree_value(value: ActiveValue) -> Any:
    if isinstance(value, list):
        from ruamel.yaml.comments import CommentedSeq

        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    return value


def _refuse_shared(
    index: RegistryIndex, files: list[tuple[Snapshot, str]], planned: set[tuple[str, str]]
) -> None:
    """Refuse an edit that changes models nobody asked about (anchors, aliases, ``<<``).

    The effective ``active`` of every model in the edited files is compared before
    and after, as the validator reads them (merge keys resolved).
    """
    changed: set[tuple[str, str]] = set()
    for snap, text in files:
        before = _effective(snap.text, str(snap.path))
        after = _effective(text, str(snap.path))
        changed |= {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    extra = sorted(changed - planned)
    if extra:
        names = ", ".join(f"{p}/{m}" for p, m in extra)
        raise RegctlError(
            msg(
                "refusing to edit: the change would also switch {names}, which share their "
                "'active' value through a YAML anchor, alias or merge key ('<<'); give each "
                "model its own 'active' line first, then run the command again",
                names=names,
            )
        )


def _effective(text: str, name: str) -> dict[tuple[str, str], Any]:
    """(provider, model) -> effective ``active`` of every model a registry file defines."""
    from regctl.source import parse_documents

    out: dict[tuple[str, str], Any] = {}
    try:
        docs = parse_documents(text.encode("utf-8"), name)
    except Exception:
        return out
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict):
            continue
        kind = data.get("kind")
        if kind == "Provider" and isinstance(data.get("models"), list):
            for m in data["models"]:
                if isinstance(m, dict):
                    out[(str(data.get("id")), str(m.get("id")))] = _plain(m.get("active"))
        elif kind == "Model":
            out[(str(data.get("provider")), str(data.get("id")))] = _plain(data.get("active"))
        elif kind == "Environment" and isinstance(data.get("providers"), dict):
            for pid, prov in data["providers"].items():
                models = prov.get("models") if isinstance(prov, dict) else None
                if isinstance(models, dict):
                    for mid, m in models.items():
                        if isinstance(m, dict):
                            out[(str(pid), str(mid))] = _plain(m.get("active"))
    return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
