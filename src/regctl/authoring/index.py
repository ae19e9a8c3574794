"""An index of a registry folder for commands that edit it, read with the C loader.

Editing needs to know where each model is written (file, mapping, text positions) and
what it says now. The validator's loader gives both at libyaml speed: values as
:class:`~regctl.positions.PosDict` and, on demand, the composed node with the exact
start and end of every key and value (:meth:`PosDict.node`). Only the one or two files
an edit then cannot patch as text are read again with ruamel.yaml
(:mod:`regctl.authoring.rtindex`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regctl import progress
from regctl.authoring.files import Snapshot, registry_files
from regctl.errors import RegctlError
from regctl.i18n import msg
from regctl.positions import PosDict
from regctl.source import Document, parse_documents


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
    """Where a model is written: its mapping, inside a provider's list or its own document."""

    provider: str
    id: str
    data: PosDict
    file: SourceText
    inline: bool

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
    from regctl.source import _Abort  # the loader's own "this file has a problem" signal

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
            snap = Snapshot.take(path)
        except UnicodeDecodeError:
            raise RegctlError(f"{path}: [yaml-syntax] not UTF-8") from None
        if mentioning and not any(m in snap.text for m in mentioning):
            continue
        st = SourceText(snap, _load(snap))
        index.files.append(st)
        for doc in st.docs:
            if isinstance(doc.data, PosDict):
                _index_doc(index, st, doc.data)
    return index


def _index_doc(index: Index, st: SourceText, doc: PosDict) -> None:
    kind = doc.get("kind")
    did = str(doc.get("id", ""))
    if kind == "Provider":
        index.providers.setdefault(did, (st, doc))
        models: Any = doc.get("models")
        if isinstance(models, list):
            for m in models:
                if isinstance(m, PosDict) and "id" in m:
                    key = (did, str(m["id"]))
                    index.models.setdefault(key, ModelEntry(did, key[1], m, st, True))
    elif kind == "Model":
        key = (str(doc.get("provider", "")), did)
        index.models.setdefault(key, ModelEntry(key[0], did, doc, st, False))
    elif kind == "Environment":
        index.environments.setdefault(did, (st, doc))
