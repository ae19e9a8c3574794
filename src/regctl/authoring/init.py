"""``regctl init``: write a starter registry that validates and compiles as it stands.

The files are package data under ``regctl/scaffold/``: ``registry/`` (the Registry
document, OpenAI, Anthropic and xAI providers, a dev and a prod environment, one prompt
template) and ``.github/workflows/registry.yml``; ``schemas/`` holds the JSON Schemas
the files' ``# yaml-language-server`` lines name; ``.pre-commit-config.yaml`` runs the
``regctl-fmt`` and ``regctl-validate`` hooks of the regctl release that wrote it. Nothing
is ever overwritten: if any target file exists, nothing is written. The exceptions are
``.gitignore``, to which the lines below are appended (those it lacks), and a project's
own ``.pre-commit-config.yaml``, which is left as it is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from regctl.authoring.files import atomic_write_text
from regctl.base.errors import RegctlError
from regctl.io import safeio

if TYPE_CHECKING:
    from importlib.abc import Traversable

#: What ``init`` adds to ``.gitignore``. Compiled locks are build outputs (CI compiles
#: them); a file target's manifest is committed by the workflow's commit-back, but its
#: apply lock and history folder are local state that would only grow and conflict.
GITIGNORE_LINES = (
    "# regctl: build outputs and file-target state (docs/deploy.md, Lock conventions)",
    "/build/",
    "*.lock.json.lock",
    "*.lock.json.history/",
)

#: Where pre-commit clones the hooks from (``.pre-commit-hooks.yaml`` at a release tag).
HOOKS_REPO = "https://github.com/regctl/regctl"
#: The GitHub Action's ``uses:`` name (action.yml at the repository's root).
ACTION = "regctl/regctl"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"

SCAFFOLD_PACKAGE = "regctl"
SCAFFOLD_DIR = "scaffold"


def _walk(node: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__" or child.name.endswith((".pyc", ".py")):
            continue
        if child.is_dir():
            out.extend(_walk(child, (*prefix, child.name)))
        else:
            out.append(((*prefix, child.name), child.read_text(encoding="utf-8")))
    return out


def scaffold_files(source: Traversable | None = None) -> list[tuple[str, str]]:
    """The starter files as (relative POSIX path, text), in a stable order.

    ``source`` defaults to the ``regctl/scaffold`` package data; any file found there is
    part of the scaffold, so a feature ships its own starter file by adding it there.
    """
    root = source or resources.files(SCAFFOLD_PACKAGE).joinpath(SCAFFOLD_DIR)
    files = [("/".join(parts), text) for parts, text in _walk(root)]
    # Workflows are pinned to this release (as the pre-commit rev), not to regctl's main.
    return [(rel, pin_action(text) if rel.startswith(".github/") else text) for rel, text in files]


def schema_files() -> list[tuple[str, str]]:
    """``schemas/*.json``: what the scaffold's ``# yaml-language-server`` lines point at."""
    from regctl.docs.jsonschemas import render_all

    return [(f"schemas/{name}", text) for name, text in render_all().items()]


def _lines(ignore: Path) -> list[str]:
    """The lines of an existing ``.gitignore`` (a regular file of at most 1 MiB)."""
    try:
        return safeio.read_text(ignore, 1 << 20).splitlines()
    except safeio.FileMissing:
        return []
    except safeio.SafeReadError as exc:
        raise RegctlError(f"{ignore}: cannot read: it {exc}") from None


def release_tag() -> str:
    """The git tag of the running regctl's release (RELEASING.md: ``v`` + the version)."""
    from regctl import __version__

    return f"v{__version__}"


def pin_action(workflow: str, rev: str | None = None) -> str:
    """``workflow`` with ``uses: regctl/regctl@main`` pinned to ``rev`` (default: this
    release's tag), as the pre-commit configuration is: a team's workflow should not change
    under it when regctl's main moves."""
    return workflow.replace(f"uses: {ACTION}@main", f"uses: {ACTION}@{rev or release_tag()}")


def pre_commit_config(rev: str | None = None) -> str:
    """``.pre-commit-config.yaml`` with regctl's hooks at ``rev`` (default: this release)."""
    return (
        "# pre-commit (https://pre-commit.com): run `pre-commit install` once; each commit then\n"
        "# formats the registry files it changes and validates the whole registry they belong\n"
        "# to. rev is a regctl release tag; `pre-commit autoupdate` moves it to the latest.\n"
        "repos:\n"
        f"  - repo: {HOOKS_REPO}\n"
        f"    rev: {rev or release_tag()}\n"
        "    hooks:\n"
        "      - id: regctl-fmt\n"
        "      - id: regctl-validate\n"
    )


def init_project(target: Path, source: Traversable | None = None) -> list[Path]:
    """Write the starter files below ``target``; return the written paths.

    Raises :class:`RegctlError` naming the files that already exist (then nothing is written).
    """
    files = scaffold_files(source) + schema_files()
    if target.exists() and not target.is_dir():
        raise RegctlError(f"{target}: exists and is not a folder")
    existing = [rel for rel, _ in files if (target / rel).exists()]
    if existing:
        shown = ", ".join(str(target / rel) for rel in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise RegctlError(
            f"refusing to overwrite existing files: {shown}{more}; nothing was written"
        )
    written = []
    for rel, text in files:
        path = target / rel
        atomic_write_text(path, text)
        written.append(path)
    hooks = target / PRE_COMMIT_CONFIG
    if not hooks.exists():  # a project's own pre-commit configuration is its own
        atomic_write_text(hooks, pre_commit_config())
        written.append(hooks)
    ignore = target / ".gitignore"
    have = _lines(ignore)
    missing = [line for line in GITIGNORE_LINES if line not in have]
    if missing:
        head = "\n".join(have) + "\n" if have else ""
        atomic_write_text(ignore, head + "\n".join(missing) + "\n")
        written.append(ignore)
    return written
