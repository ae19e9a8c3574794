"""Stage 1: read registry YAML into plain Python values that remember where they came from.

Which files (:mod:`~regctl.pipeline.source_guard`), read how (:mod:`regctl.io.safeio`:
regular files, a size cap), decoded how (UTF-8, no NUL). Each file is read by the fast
reader (:mod:`~regctl.pipeline.fastyaml`, the registry's usual YAML, no PyYAML import)
or else by libyaml (:mod:`~regctl.pipeline.libyaml_read`, every problem with its place);
both give the same values and positions.

Mappings become :class:`PosDict` and sequences :class:`PosList`; both are plain
``dict``/``list`` subclasses (pydantic accepts them as such) with position side
tables. Scalars carry no position; their parent records it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regctl.base.i18n import msg
from regctl.io import safeio
from regctl.messages import progress
from regctl.messages.problems import Location, Problem
from regctl.pipeline import fastyaml, source_guard
from regctl.pipeline.documents import Abort as _Abort
from regctl.pipeline.documents import Document
from regctl.pipeline.positions import Origin

__all__ = ["Document", "LoadResult", "SourceFile", "load_registry", "parse_documents"]

MAX_FILE_BYTES = 10 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class SourceFile:
    """A registry file as read: its display path, path relative to the root, and hash."""

    path: str
    rel: str
    sha256: str


@dataclass
class LoadResult:
    """Everything read from a registry folder, with the problems met on the way."""

    root: Path
    files: list[SourceFile] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed_files(self) -> int:
        return len({p.location.file for p in self.problems})


def display_path(path: Path) -> str:
    """The path as problems show it: relative to the working folder when below it."""
    try:
        # The folder is resolved, not the name: a symlink shows as itself (and a
        # symlink loop cannot make resolving fail).
        full = path.parent.resolve() / path.name if path.name else path.resolve()
        return full.relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def find_files(root: Path, allow_outside: bool = False) -> tuple[list[Path], list[Problem]]:
    """Every ``*.yaml``/``*.yml`` below ``root`` (or ``root`` itself), in sorted order.

    Also the problems for what is refused (see :mod:`regctl.pipeline.source_guard`).
    """
    if not root.is_dir():
        return [root], []
    return source_guard.walk(root, YAML_SUFFIXES, display_path, allow_outside)


def load_registry(
    root: Path | str,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    allow_outside: bool | None = None,
    overrides: Mapping[Path, bytes] | None = None,
) -> LoadResult:
    """Read every YAML file below ``root``. Never raises for bad content: problems are returned.

    ``allow_outside`` lets registry files be symlinks leading out of ``root``
    (default: the ``REGCTL_ALLOW_OUTSIDE_SYMLINKS`` environment variable).
    ``overrides`` (resolved path -> bytes) stands in for the content of those files: an
    editor validates its result before writing it.
    """
    root = Path(root)
    result = LoadResult(root=root)
    shown_root = display_path(root)
    if not root.exists():
        result.problems.append(
            Problem(
                "yaml-syntax",
                msg("registry folder not found: {path}", path=shown_root),
                Location(shown_root),
            )
        )
        return result
    if allow_outside is None:
        allow_outside = source_guard.allow_outside_default()
    files, refused = find_files(root, allow_outside)
    result.problems.extend(refused)
    if not files and not refused:
        result.problems.append(
            Problem(
                "yaml-syntax",
                msg("no *.yaml or *.yml files in the registry"),
                Location(shown_root),
            )
        )
        return result
    progress.total("files read", len(files))
    for path in files:
        progress.advance("files read")
        rel = path.name if path == root else path.relative_to(root).as_posix()
        shown = display_path(path)
        try:
            raw = overrides.get(path.resolve()) if overrides else None
            if raw is None:
                raw = read_bytes(path, shown, max_bytes)
            result.files.append(SourceFile(shown, rel, hashlib.sha256(raw).hexdigest()))
            result.documents.extend(parse_documents(raw, shown))
        except _Abort as abort:
            result.problems.append(abort.problem)
    return result


def read_bytes(path: Path, shown: str, max_bytes: int) -> bytes:
    """The file's bytes: a regular file only, at most ``max_bytes`` (:mod:`regctl.io.safeio`)."""
    try:
        return safeio.read_regular(path, max_bytes)
    except safeio.TooLarge as exc:
        text = msg("file {detail}", detail=str(exc).replace("MiB", "MB"))
        raise _Abort(Problem("yaml-syntax", text, Location(shown))) from None
    except safeio.SafeReadError as exc:
        # the detail (an OS error, a file kind) stays as the OS or safeio says it
        text = (
            msg("cannot read file: {detail}", detail=str(exc).removeprefix("cannot read: "))
            if str(exc).startswith("cannot read")
            else msg("cannot read file: it {detail}", detail=str(exc))
        )
        raise _Abort(Problem("yaml-syntax", text, Location(shown))) from None


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 (a BOM is allowed) or a problem at the first bad byte; NUL means binary."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise _Abort(Problem("yaml-syntax", msg("binary file (NUL byte)"), Location(shown, line)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        text = msg("not UTF-8: byte {byte} cannot be decoded", byte=f"0x{raw[exc.start]:02x}")
        raise _Abort(Problem("yaml-syntax", text, Location(shown, line, col))) from None


def parse_documents(raw: bytes, shown: str) -> list[Document]:
    """Parse all documents of one file; the first syntax error aborts the file.

    The fast reader (:mod:`regctl.pipeline.fastyaml`) reads the registry's usual YAML;
    whatever it leaves, libyaml reads, with the same values and positions.
    """
    text = decode(raw, shown)
    fast = fastyaml.parse(text, Origin(shown, raw, collection_nodes), shown)
    if fast is not None:
        return [Document(shown, i, data, pos) for i, (data, pos) in enumerate(fast)]
    from regctl.pipeline import libyaml_read

    return libyaml_read.parse(raw, shown, text)


def parse_documents_libyaml(raw: bytes, shown: str) -> list[Document]:
    """:func:`parse_documents` without the fast reader (what it is held to in tests)."""
    from regctl.pipeline import libyaml_read

    return libyaml_read.parse(raw, shown, decode(raw, shown))


def collection_nodes(raw: bytes) -> list[Any]:
    """The collection nodes of a file in the readers' numbering (positions, on demand)."""
    from regctl.pipeline import libyaml_read

    return libyaml_read.collection_nodes(raw)


def __getattr__(name: str) -> Any:
    if name == "_Loader":  # the tuned C loader, for the authoring tools that index files
        from regctl.pipeline import libyaml_read

        return libyaml_read._Loader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
