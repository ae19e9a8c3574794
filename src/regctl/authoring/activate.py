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

from regctl.authoring.files import Snapshot, write_checked
from regctl.authoring.index import Index, ModelEntry, SourceText, load_index
from regctl.authoring.patch import (
    ActiveValue,
    CannotPatch,
    Splice,
    apply_splices,
    insert_key,
    replace_value,
    split_lines,
)
from regctl.authoring.validation import validate_candidate
from regctl.base.errors import RegctlError
from regctl.base.i18n import msg
from regctl.pipeline.positions import PosDict

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
    texts: tuple[str, ...] = ()
    """The new text of each of ``files`` (also with ``dry_run``, where nothing is written)."""

    def overrides(self) -> dict[Path, bytes]:
        """``files`` with their new bytes, for validation and compilation in memory."""
        return {f.resolve(): t.encode("utf-8") for f, t in zip(self.files, self.texts, strict=True)}


def _active_set(value: Any, caps: list[str], where: str) -> list[str]:
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
    """The mapping an edit goes into (``None``: an overlay entry that does not exist yet)."""

    file: SourceText
    node: PosDict | None
    model: ModelEntry
    env: str | None


class _Session:
    def __init__(self, index: Index, env: str | None) -> None:
        self.index = index
        self.env = env
        self.env_doc: tuple[SourceText, PosDict] | None = None
        if env is not None:
            if env not in index.environments:
                known = ", ".join(sorted(index.environments)) or msg("none")
                raise RegctlError(
                    msg("unknown environment '{env}' (known: {known})", env=env, known=known)
                )
            self.env_doc = index.environments[env]

    def overlay(self, m: ModelEntry) -> PosDict | None:
        if self.env_doc is None:
            return None
        node: Any = self.env_doc[1]
        for key in ("providers", m.provider, "models", m.id):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, PosDict) else None

    def caps(self, m: ModelEntry) -> list[str]:
        ov = self.overlay(m)
        if ov is not None and isinstance(ov.get("capabilities"), list):
            return [str(c) for c in ov["capabilities"]]
        return m.capabilities()

    def active(self, m: ModelEntry) -> list[str]:
        ov = self.overlay(m)
        where = f"{self.index.display(m.file.path)}: model {m.provider}/{m.id}"
        if ov is not None and "active" in ov:
            return _active_set(ov["active"], self.caps(m), where)
        return _active_set(m.data.get("active"), m.capabilities(), where)

    def target(self, m: ModelEntry) -> _Target:
        if self.env_doc is None:
            return _Target(m.file, m.data, m, None)
        return _Target(self.env_doc[0], self.overlay(m), m, self.env)


def _find_model(index: Index, provider: str, model: str) -> ModelEntry:
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
    edits: list[tuple[ModelEntry, list[str]]] = []
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
    _refuse_shared(files, planned)
    out = Outcome(main, tuple(others), tuple(s.path for s, _ in files), tuple(t for _, t in files))
    if files and not dry_run:
        validate_candidate(root, out.overrides())
        write_checked(files)
    return out


def _render(
    session: _Session, edits: list[tuple[ModelEntry, list[str]]]
) -> list[tuple[Snapshot, str]]:
    """The new text of every file the edits touch."""
    by_file: dict[Path, list[tuple[_Target, ActiveValue]]] = {}
    files: dict[Path, SourceText] = {}
    for m, active in edits:
        t = session.target(m)
        by_file.setdefault(t.file.path, []).append((t, _as_value(active, session.caps(m))))
        files[t.file.path] = t.file
    out = []
    for path, items in by_file.items():
        snap = files[path].snapshot
        try:
            text = _splice_file(snap.text, items)
        except CannotPatch:
            text = _dump_file(snap, items)
        out.append((snap, text))
    return out


def _splice_file(text: str, items: list[tuple[_Target, ActiveValue]]) -> str:
    """Edit only the ``active`` lines, at the positions libyaml recorded."""
    lines = split_lines(text)
    splices: list[Splice] = []
    for t, value in items:
        if t.node is None:
            raise CannotPatch("overlay entry does not exist yet")
        node = t.node.node()
        if node is None or t.node.has_merge_keys:
            raise CannotPatch("mapping with merge keys")
        if "active" in t.node:
            splices.append(replace_value(lines, node, "active", value))
        else:
            splices.append(insert_key(lines, node, "active", value, _ACTIVE_AFTER))
    return apply_splices(text, splices)


def _dump_file(snap: Snapshot, items: list[tuple[_Target, ActiveValue]]) -> str:
    """Edit the round-trip tree of the file and dump it whole (comments survive)."""
    from ruamel.yaml.comments import CommentedMap

    from regctl.authoring.fmt import dump_documents
    from regctl.authoring.rtindex import load_tree, set_in_tree

    tree = load_tree(snap)
    for t, value in items:
        m = t.model
        if t.env is None:
            node = tree.models[(m.provider, m.id)]
        else:
            node = tree.environments[t.env]
            for key in ("providers", m.provider, "models", m.id):
                if not isinstance(node.get(key), CommentedMap):
                    node[key] = CommentedMap()
                node = node[key]
        set_in_tree(node, "active", value, _ACTIVE_AFTER)
    return dump_documents(tree.docs, snap.text)


def _refuse_shared(files: list[tuple[Snapshot, str]], planned: set[tuple[str, str]]) -> None:
    """Refuse an edit that changes models nobody asked about (anchors, aliases, ``<<``).

    The effective ``active`` of every model in the edited files is compared before
    and after, as the validator reads them (merge keys resolved).
    """
    changed: set[tuple[str, str]] = set()
    for snap, text in files:
        if "&" not in snap.text:
            # No anchor, so no alias or shared merge source: every mapping is its own and
            # the edit changes exactly the models it was made for (the new text only
            # adds true, false or a list of capability names).
            continue
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
    from regctl.pipeline.source import parse_documents

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
