"""An index of a registry folder for commands that edit it, read with the C loader.

Editing needs to know where each model is written (file, mapping, text positions) and
what it says now. The validator's loader gives both at libyaml speed: values as
:class:`~regctl.pipeline.positions.PosDict` and, on demand, the composed node with the exact
start and end of every key and value (:meth:`PosDict.node`). Only the one or two files
an edit then cannot patch as text are read again with ruamel.yaml
(:mod:`regctl.authoring.rtindex`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from regctl.authoring.files import Snapshot, UnreadableFileError, registry_files
from regctl.base.errors import RegctlError
from regctl.base.i18n import msg
from regctl.io import safeio
from regctl.messages import progress
from regctl.pipeline.positions import PosDict
from regctl.pipeline.source import MAX_FILE_BYTES, Document, parse_documents

D = TypeVar("D", bound=dict[str, Any])


@dataclass
class SourceText:
    """One registry file: the snapshot it was read from and its loaded documents."""

    snapshot: Snapshot
    docs: list[Document]

    @property
    def path(self) -> Path:
        return self.snapshot.path


@dataclass
class ModelEntry:
    """Where a model is written: its mapping, in a provider's list or as its own document."""

    provider: str
    id: str
    data: PosDict
    file: SourceText

    def capabilities(self) -> list[str]:
        caps = self.data.get("capabilities")
        return [str(c) for c in caps] if isinstance(caps, list) else []


@dataclass
class Index:
    """Providers, models and environments of a registry, by id."""

    root: Path
    files: list[SourceText] = field(default_factory=list)
    providers: dict[str, tuple[SourceText, PosDict]] = field(default_factory=dict)
    models: dict[tuple[str, str], ModelEntry] = field(default_factory=dict)
    environments: dict[str, tuple[SourceText, PosDict]] = field(default_factory=dict)

    def provider_models(self, provider: str) -> list[ModelEntry]:
        """The models of ``provider`` in file order."""
        return [m for (p, _), m in self.models.items() if p == provider]

    def display(self, path: Path) -> str:
        """``path`` as the user should read it: relative to the working folder when possible."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def _load(snap: Snapshot) -> list[Document]:
    from regctl.pipeline.documents import Abort as _Abort  # "this file has a problem"

    try:
        return parse_documents(snap.text.encode("utf-8"), str(snap.path))
    except _Abort as abort:
        p = abort.problem
        raise RegctlError(f"{p.location}: [{p.rule}] {p.message}") from None


def load_index(root: Path, *, mentioning: tuple[str, ...] = ()) -> Index:
    """Read the files of the registry at ``root`` into an :class:`Index`.

    With ``mentioning``, only files whose text contains one of those strings are parsed:
    a provider's documents and overlays always spell out its id, so ``activate`` parses
    the handful of files that can matter and only scans the others for the id.
    """
    if not root.exists():
        raise RegctlError(msg("{path}: no such registry folder", path=str(root)))
    index = Index(root=root)
    files = registry_files(root)
    progress.total("files scanned", len(files))
    for path in files:
        progress.advance("files scanned")
        try:
            raw = safeio.read_regular(path, MAX_FILE_BYTES)
        except safeio.SafeReadError as exc:
            raise UnreadableFileError(path, f"cannot read file: {exc}") from None
        if mentioning and not any(m.encode("utf-8") in raw for m in mentioning):
            continue  # only scanned: no snapshot, no hash, no parse
        try:
            snap = Snapshot.of(path, raw)
        except UnicodeDecodeError:
            raise RegctlError(f"{path}: [yaml-syntax] not UTF-8") from None
        st = SourceText(snap, _load(snap))
        index.files.append(st)
        for doc in st.docs:
            if isinstance(doc.data, PosDict):
                _index_doc(index, st, doc.data)
    return index


def definitions(doc: D) -> Iterator[tuple[str, Any, D]]:
    """What one registry document defines: ``("provider", id, doc)``, ``("model",
    (provider, id), mapping)`` for each model (inline or standalone), ``("environment", id,
    doc)``. Works on any loader's mappings (the validator's, ruamel.yaml's: both dicts)."""
    if not isinstance(doc, dict):
        return
    kind, did = doc.get("kind"), str(doc.get("id", ""))
    if kind == "Provider":
        yield "provider", did, doc
        models = doc.get("models")
        for m in models if isinstance(models, list) else ():
            if isinstance(m, dict) and "id" in m:
                yield "model", (did, str(m["id"])), cast(D, m)  # same loader, same type
    elif kind == "Model":
        yield "model", (str(doc.get("provider", "")), did), doc
    elif kind == "Environment":
        yield "environment", did, doc


def _index_doc(index: Index, st: SourceText, doc: PosDict) -> None:
    for what, key, node in definitions(doc):
        if what == "provider":
            index.providers.setdefault(key, (st, node))
        elif what == "model":
            index.models.setdefault(key, ModelEntry(key[0], key[1], node, st))
        else:
            index.environments.setdefault(key, (st, node))
