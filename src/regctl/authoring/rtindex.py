"""A round-trip (ruamel.yaml) view of a registry folder for commands that edit it.

The spine's loader gives typed objects for validation; editing needs the other thing: the
comment-, quote- and order-preserving YAML nodes with their positions, so that a change can
be written back touching only the lines it means to. :func:`load_index` reads every
registry file once and indexes providers, models (inline or standalone), environments and
templates by id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from regctl import progress
from regctl.authoring.files import Snapshot, registry_files
from regctl.errors import RegctlError
from regctl.i18n import msg

__all__ = ["registry_files"]  # re-exported: it used to live here


def round_trip_yaml() -> YAML:
    """A ruamel round-trip loader/dumper that keeps quotes and never wraps long lines."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


@dataclass
class FileDocs:
    """One registry file: the snapshot it was read from and its round-trip documents."""

    snapshot: Snapshot
    docs: list[Any]

    @property
    def path(self) -> Path:
        return self.snapshot.path


@dataclass
class ModelNode:
    """Where a model is written: its mapping node, inside an inline list or its own document."""

    provider: str
    id: str
    node: CommentedMap
    file: FileDocs
    inline: bool

    def capabilities(self) -> list[str]:
        caps = self.node.get("capabilities")
        return [str(c) for c in caps] if isinstance(caps, list) else []


@dataclass
class RegistryIndex:
    """Providers, models, environments and templates of a registry, by id, as ruamel nodes."""

    root: Path
    files: list[FileDocs] = field(default_factory=list)
    providers: dict[str, tuple[FileDocs, CommentedMap]] = field(default_factory=dict)
    models: dict[tuple[str, str], ModelNode] = field(default_factory=dict)
    environments: dict[str, tuple[FileDocs, CommentedMap]] = field(default_factory=dict)
    templates: dict[str, tuple[FileDocs, CommentedMap]] = field(default_factory=dict)
    registry_doc: tuple[FileDocs, CommentedMap] | None = None

    def provider_models(self, provider: str) -> list[ModelNode]:
        """The models of ``provider`` in file order."""
        return [m for (p, _), m in self.models.items() if p == provider]

    def display(self, path: Path) -> str:
        """``path`` as the user should read it: relative to the working folder when possible."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def _docs(yaml: YAML, snap: Snapshot) -> list[Any]:
    try:
        return [d for d in yaml.load_all(snap.text) if d is not None]
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RegctlError(f"{snap.path}{where}: [yaml-syntax] {problem}") from None


def load_index(root: Path, *, mentioning: tuple[str, ...] = ()) -> RegistryIndex:
    """Read the files of the registry at ``root`` into a :class:`RegistryIndex`.

    With ``mentioning``, only files whose text contains one of those strings are parsed:
    round-trip parsing is slow, and a provider's documents and overlays always spell out
    its id, so ``activate`` parses a handful of files instead of the whole registry.
    """
    if not root.exists():
        raise RegctlError(msg("{path}: no such registry folder", path=str(root)))
    yaml = round_trip_yaml()
    index = RegistryIndex(root=root)
    for path in registry_files(root):
        progress.advance("files read")
        try:
            snap = Snapshot.take(path)
        except UnicodeDecodeError:
            raise RegctlError(f"{path}: [yaml-syntax] not UTF-8") from None
        if mentioning and not any(m in snap.text for m in mentioning):
            continue
        fd = FileDocs(snap, _docs(yaml, snap))
        index.files.append(fd)
        for doc in fd.docs:
            if isinstance(doc, CommentedMap):
                _index_doc(index, fd, doc)
    return index


def _index_doc(index: RegistryIndex, fd: FileDocs, doc: CommentedMap) -> None:
    kind = doc.get("kind")
    did = str(doc.get("id", ""))
    if kind == "Provider":
        index.providers.setdefault(did, (fd, doc))
        models = doc.get("models")
        if isinstance(models, CommentedSeq):
            for m in models:
                if isinstance(m, CommentedMap) and "id" in m:
                    key = (did, str(m["id"]))
                    index.models.setdefault(key, ModelNode(did, key[1], m, fd, True))
    elif kind == "Model":
        key = (str(doc.get("provider", "")), did)
        index.models.setdefault(key, ModelNode(key[0], did, doc, fd, False))
    elif kind == "Environment":
        index.environments.setdefault(did, (fd, doc))
    elif kind == "PromptTemplate":
        index.templates.setdefault(did, (fd, doc))
    elif kind == "Registry" and index.registry_doc is None:
        index.registry_doc = (fd, doc)


def iter_mappings(node: Any) -> Iterator[CommentedMap]:
    """Every mapping node below (and including) ``node``."""
    if isinstance(node, CommentedMap):
        yield node
        for v in node.values():
            yield from iter_mappings(v)
    elif isinstance(node, CommentedSeq):
        for v in node:
            yield from iter_mappings(v)
