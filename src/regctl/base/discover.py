"""Find the registry a command works on, the way git finds its repository.

Commands take the registry as ``--registry PATH`` (or positionally where they have no
other arguments). Given neither, regctl looks in the current directory and then its
parents for either a ``registry/`` folder or a folder holding ``registry.yaml``, and
stops at the top of the git work tree so it never wanders into an unrelated checkout.
pre-commit passes file paths (``registry/providers/openai.yaml``); the same search from
a file's folder finds the registry that file belongs to.
"""

from __future__ import annotations

import os
from pathlib import Path

REGISTRY_DIR = "registry"
REGISTRY_FILES = ("registry.yaml", "registry.yml")


def find_registry(start: Path) -> Path | None:
    """The registry folder for ``start`` (a folder or a file), or ``None``.

    From ``start`` (a file's folder for a file) upward: a folder that holds
    ``registry.yaml``/``registry.yml`` is the registry; a folder with a ``registry/``
    child has it as the registry. The search ends at a folder holding ``.git``.
    """
    here = start.absolute()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if any((folder / name).is_file() for name in REGISTRY_FILES):
            return folder
        if (folder / REGISTRY_DIR).is_dir():
            return folder / REGISTRY_DIR
        if (folder / ".git").exists():
            break
    return None


def display_path(path: Path, cwd: Path | None = None) -> Path:
    """``path`` relative to ``cwd`` when that is shorter, so messages show ``registry/...``."""
    base = cwd or Path.cwd()
    try:
        rel = Path(os.path.relpath(path, base))
    except ValueError:  # another drive on Windows
        return path
    return rel if len(str(rel)) <= len(str(path)) else path
