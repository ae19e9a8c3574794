"""Surfaces of the file family that are regctl's own commands reading operator files.

The registry as authoring reads it (``fmt``, the index behind ``activate``), the inputs
of the importers and exporters, the plan file ``apply`` reads, the lock ``compile``
compares, the registry document ``gitops`` looks at, the ``.gitignore`` ``init``
extends. Registered in :data:`tests.hostile.surfaces.SURFACES` on import.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.hostile.surfaces import MINIMAL, Place, refused, surface


# -- authoring (fmt, activate) read the registry too --------------------------------------
def _registry_with(place: Place, tmp: Path) -> Path:
    root = tmp / "reg"
    shutil.copytree(MINIMAL, root)
    place(root / "providers" / "hostile.yaml")
    return root


_LISTED_AS_VALIDATE = (
    "registry files are listed as validate lists them: a symlink out of the registry and a "
    "folder named x.yaml are not files to format (validate reports them)"
)
_LISTING = {"dev-zero-link": _LISTED_AS_VALIDATE, "directory": _LISTED_AS_VALIDATE}


@surface(
    "authoring.fmt",
    "file",
    "regctl.authoring.fmtcheck",
    "regctl.authoring.files",
    tolerates=_LISTING,
)
def _fmt(place: Place, tmp: Path) -> str:
    from regctl.authoring.fmtcheck import format_paths
    from regctl.base.errors import RegctlError

    root = _registry_with(place, tmp)
    got: list[Any] = []
    message = refused(RegctlError, lambda: got.append(format_paths([root], check=True)))
    mine = [why for path, why in got[0].failed if path.name == "hostile.yaml"] if got else []
    return message or (mine[0] if mine else "")


@surface("authoring.index", "file", "regctl.authoring.index", tolerates=_LISTING)
def _index(place: Place, tmp: Path) -> str:
    from regctl.authoring.index import load_index
    from regctl.base.errors import RegctlError

    root = _registry_with(place, tmp)
    return refused(RegctlError, lambda: load_index(root))


# -- importers' inputs, the plan file, the lock compile compares --------------------------
def _input_file(place: Place, tmp: Path, name: str) -> Path:
    path = tmp / name
    place(path)
    return path


@surface("import.litellm-prices", "file", "regctl.interop.litellm_prices", "regctl.interop.common")
def _litellm_prices(place: Place, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.interop.litellm_prices import import_litellm_prices

    path = _input_file(place, tmp, "prices.json")
    return refused(RegctlError, lambda: import_litellm_prices(path))


@surface(
    "export.lock-file",
    "file",
    "regctl.interop.lockfile",
    tolerates={"directory": "a folder is a registry, compiled instead of read"},
)
def _lock_file(place: Place, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.interop.lockfile import load_manifest

    path = _input_file(place, tmp, "manifest.lock.json")
    return refused(RegctlError, lambda: load_manifest(path))


@surface("import.modelsdev", "file", "regctl.interop.modelsdev")
def _modelsdev(place: Place, tmp: Path) -> str:
    """A models.dev checkout whose one provider file is hostile: skipped, with the reason."""
    from regctl.base.errors import RegctlError
    from regctl.interop.modelsdev import import_modelsdev

    folder = tmp / "models.dev" / "providers" / "acme"
    folder.mkdir(parents=True)
    place(folder / "provider.toml")
    got: list[Any] = []
    message = refused(RegctlError, lambda: got.append(import_modelsdev(tmp / "models.dev")))
    skipped = [f"{e.reason}: {e.detail}" for e in got[0].report.skipped] if got else []
    return message or (skipped[0] if skipped else "")


@surface("deploy.plan-file", "file", "regctl.deploy.apply")
def _plan_file(place: Place, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.deploy.apply import load_plan

    path = _input_file(place, tmp, "plan.json")
    return refused(RegctlError, lambda: load_plan(path))


@surface("compile.existing-lock", "file", "regctl.pipeline.compile")
def _existing_lock(place: Place, tmp: Path) -> str:
    """compile --check compares with the lock on disk: a hostile one is simply stale."""
    from regctl.pipeline.compile import compile_registry, is_stale

    result = compile_registry(MINIMAL)
    path = _input_file(place, tmp, "manifest.lock.json")
    return "stale: compile rewrites it" if is_stale(path, result) else ""


# -- the CLI's own reads of the repository -------------------------------------------------
@surface("gitops.registry-document", "file", "regctl.cli.gitops")
def _gitops(place: Place, tmp: Path) -> str:
    from regctl.base.discover import REGISTRY_FILES
    from regctl.cli.gitops import _is_regctl

    place(tmp / REGISTRY_FILES[0])
    return "not taken for a registry" if not _is_regctl(tmp) else "taken for a registry"


@surface("init.gitignore", "file", "regctl.authoring.init")
def _gitignore(place: Place, tmp: Path) -> str:
    from regctl.authoring.init import init_project
    from regctl.base.errors import RegctlError

    place(tmp / ".gitignore")
    return refused(RegctlError, lambda: init_project(tmp))


# Surfaces registered by modules of their own (they import this one).
