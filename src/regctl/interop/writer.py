"""Write an imported registry as YAML files, deterministically and atomically.

Layout (the README's recommended one): ``<dir>/registry.yaml`` holds the Registry
document and ``<dir>/providers/<id>.yaml`` one Provider document each with its
models inline. Providers are written sorted by id and models sorted by id, in
the schema models' field order (docs/reference.md), so the same input gives
byte-identical files whatever order the source was walked in. Every file starts with a
``# yaml-language-server: $schema=...`` line so editors validate it.

Registry files are emitted by :func:`regctl.pipeline.layout.emit`, the emitter ``regctl fmt
--check`` compares against, so an import is fmt-clean by construction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from regctl.base.errors import RegctlError
from regctl.io import fsutil
from regctl.pipeline import layout

try:  # libyaml's emitter is several times faster on a 5,000-model import
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

API_VERSION = "regctl/v1"


class _Dumper(_BaseDumper):
    """Short lists of scalars in flow style (``capabilities: [chat, vision]``)."""


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, (str, int, float)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
SCHEMA_FILE = "registry.schema.json"


def schema_ref(schema: str | None, depth: int, folder: Path | None = None) -> str:
    """The ``$schema`` value for a file in ``folder``, ``depth`` folders below the root.

    By default the registry folder sits next to ``schemas/`` (as in a repository
    made by ``regctl init``). A URL is used as given; a path names the schema from
    where regctl runs and is rewritten relative to each file, so every line resolves.
    """
    if schema and "://" in schema:
        return schema
    if schema:
        base = (folder or Path(".")).absolute()
        return Path(os.path.relpath(Path(schema).absolute(), base)).as_posix()
    return "../" * (depth + 1) + "schemas/" + SCHEMA_FILE


def dump_yaml(doc: dict[str, Any]) -> str:
    """One YAML document in block style, keys in insertion order, no line folding."""
    text: str = yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    return text


def render_file(doc: dict[str, Any], *, schema: str, comment: str = "") -> str:
    """A whole registry file: the schema modeline, an optional comment, the document."""
    head = f"# yaml-language-server: $schema={schema}\n"
    for line in comment.splitlines():
        head += f"# {line}".rstrip() + "\n"
    return layout.emit([layout.from_values(doc)], header=head)


def provider_document(provider: dict[str, Any]) -> dict[str, Any]:
    """Wrap a provider body as a ``kind: Provider`` document, models sorted by id."""
    doc: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "Provider"}
    doc.update(provider)
    if "models" in doc:
        doc["models"] = sorted(doc["models"], key=lambda m: str(m["id"]))
    return doc


def registry_document(body: dict[str, Any]) -> dict[str, Any]:
    """Wrap a registry body (``name``, ``capabilities``, ...) as a ``kind: Registry`` document."""
    doc: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "Registry"}
    doc.update(body)
    return doc


def write_registry(
    out_dir: Path,
    providers: list[dict[str, Any]],
    registry: dict[str, Any],
    *,
    comment: str = "",
    schema: str | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    templates: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Write the registry below ``out_dir``; return the written paths relative to it.

    Refuses a folder that already holds YAML files unless ``force`` (then files of
    the same name are replaced) so an import never mixes into an existing registry.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RegctlError(f"{out_dir}: not a directory")
    if not force and out_dir.is_dir() and any(_yaml_files(out_dir)):
        raise RegctlError(f"{out_dir}: already holds YAML files (use --force to overwrite them)")
    (out_dir / "providers").mkdir(parents=True, exist_ok=True)
    written = ["registry.yaml"]
    top = schema_ref(schema, 0, out_dir)
    atomic_write(
        out_dir / "registry.yaml",
        render_file(registry_document(registry), schema=top, comment=comment),
    )
    ref = schema_ref(schema, 1, out_dir / "providers")
    for provider in sorted(providers, key=lambda p: str(p["id"])):
        rel = f"providers/{provider['id']}.yaml"
        text = render_file(provider_document(provider), schema=ref, comment=comment)
        atomic_write(out_dir / rel, text)
        written.append(rel)
        if progress:
            progress(1)
    for template in sorted(templates or [], key=lambda t: str(t["id"])):
        rel = f"prompts/{template['id']}.yaml"
        doc = {"apiVersion": API_VERSION, "kind": "PromptTemplate", **template}
        (out_dir / "prompts").mkdir(exist_ok=True)
        tref = schema_ref(schema, 1, out_dir / "prompts")
        atomic_write(out_dir / rel, render_file(doc, schema=tref, comment=comment))
        written.append(rel)
    return written


def schema_beside(out_dir: Path) -> bool:
    """Whether ``schemas/`` beside ``out_dir`` already holds the schema (as in a repository
    made by ``regctl init``): then the default modelines point there and nothing is written."""
    return (out_dir.absolute().parent / "schemas" / SCHEMA_FILE).is_file()


def inside_schema(out_dir: Path) -> Path:
    """Where an import writes the JSON Schema when none is beside ``out_dir``: inside it,
    so an import writes nothing outside its output folder."""
    return out_dir.absolute() / "schemas" / SCHEMA_FILE


def ensure_schema(path: Path) -> Path | None:
    """Write the JSON Schema at ``path``; ``None`` when a file is already there (kept)."""
    if path.exists():
        return None
    from regctl.docs.jsonschemas import render_all

    atomic_write(path, render_all()[SCHEMA_FILE])
    return path


def _yaml_files(folder: Path) -> Any:
    for suffix in ("*.yaml", "*.yml"):
        yield from folder.rglob(suffix)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 atomically (temp file in the same folder, fsync, rename)."""
    fsutil.atomic_write(path, text.encode("utf-8"))
