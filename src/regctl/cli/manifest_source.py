"""Where a client command's answers come from, said on stderr.

``regctl resolve``, ``models``, ``cost``, ``doctor`` and ``candidates`` answer from a
lock manifest (``--manifest``, ``$REGCTL_MANIFEST``, ``manifest.lock.json``,
``build/prod.lock.json``) or, with ``--registry DIR``, from that registry compiled in
memory (nothing read from or written to a lock). The first line on stderr names the
source, its environment and digest, so an answer from a stale lock is never silent;
when the registry found from the working folder upward has files newer than the lock,
a warning says so. ``--quiet`` drops the naming line, never the warning. Both come with
the answer (:func:`announce`), so a failing command still prints one error line only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from regctl.base import i18n
from regctl.base.discover import display_path, find_registry
from regctl.base.errors import UsageError
from regctl.base.textsafe import safe_line
from regctl.messages import progress

#: Tried in order when neither --manifest nor $REGCTL_MANIFEST names one.
DEFAULT_MANIFESTS = ("manifest.lock.json", "build/prod.lock.json")

_pending: list[str] = []


MANIFEST_HINT = i18n.N_(
    "pass --manifest FILE|URL or set $REGCTL_MANIFEST; `regctl compile -o FILE` writes one"
)


def find_manifest(given: str | None) -> str:
    """``--manifest``/``$REGCTL_MANIFEST`` if set, else the first default that exists.

    No manifest to work on is a usage error (exit 2, regctl.cli.exitcodes), as no
    registry is for the registry commands. A named file may not exist yet: ``serve``
    waits for it (the client commands check, :func:`load`).
    """
    if given:
        return given
    for candidate in DEFAULT_MANIFESTS:
        if Path(candidate).is_file():
            return candidate
    raise UsageError(
        i18n.msg(
            "no manifest found (looked for {files} here)", files=" and ".join(DEFAULT_MANIFESTS)
        ),
        hint=i18n.msg(MANIFEST_HINT),
    )


def require_manifest(source: str) -> str:
    """``source``, unless it names a local file that does not exist: a usage error (exit 2)."""
    local = source.removeprefix("file:")
    if "://" not in local and not os.path.lexists(local):
        raise UsageError(
            i18n.msg("manifest {path} not found", path=source), hint=i18n.msg(MANIFEST_HINT)
        )
    return source


def _say(text: str, *, always: bool = False) -> None:
    if always or not progress.QUIET:
        _pending.append(safe_line(text))


def announce() -> None:
    """Print the source lines of the last :func:`load` (call it just before the answer)."""
    while _pending:
        click.echo(_pending.pop(0), err=True)


def _env(registry: Any) -> str:
    return registry.environment or i18n.tr("base")


def _compiled(folder: str, env: str | None) -> Any:
    from regctl.base.errors import RegctlError
    from regctl.client import Registry
    from regctl.pipeline.compile import compile_registry

    result = compile_registry(folder, env=env)
    if not result.ok:
        errors = [p for p in result.problems if p.severity.value == "error"]
        first = errors[0] if errors else None
        raise RegctlError(
            i18n.msg(
                "registry {folder} has {count} error(s), the first: {first} "
                "(run `regctl validate {folder}`)",
                folder=folder,
                count=len(errors),
                first=first.message if first is not None else "-",
            )
        )
    where = i18n.msg("{folder} (compiled in memory)", folder=folder)
    return Registry.from_bytes(result.text.encode("utf-8"), source=str(where), locale="en")


def _newer_registry(lock: Path) -> tuple[Path, Path] | None:
    """The registry folder found upward from here and one of its files newer than ``lock``."""
    folder = find_registry(Path.cwd())
    if folder is None:
        return None
    try:
        stamp = lock.stat().st_mtime
    except OSError:
        return None
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = Path(root, name)
                try:
                    if path.stat().st_mtime > stamp:
                        return folder, path
                except OSError:
                    continue
    return None


def load(manifest: str | None, registry_dir: str | None, env: str | None) -> Any:
    """The :class:`~regctl.client.Registry` to answer from (see the module docstring)."""
    from regctl.client import Registry

    _pending.clear()
    if registry_dir is not None:
        if manifest is not None and os.environ.get("REGCTL_MANIFEST") != manifest:
            raise UsageError(i18n.msg("--manifest and --registry cannot be used together"))
        if not Path(registry_dir).exists():
            raise UsageError(
                i18n.msg("registry '{path}' not found", path=registry_dir),
                hint=i18n.msg("name a registry folder or file; `regctl init` creates one"),
            )
        registry = _compiled(registry_dir, env)
        _say(
            i18n.tr(
                "answering from {source}, environment {env}, {digest}",
                source=registry.source,
                env=_env(registry),
                digest=registry.digest,
            )
        )
        return registry
    if env is not None:
        raise UsageError(
            i18n.msg("--env needs --registry (a lock is compiled for one environment)")
        )
    source = require_manifest(find_manifest(manifest))
    local = source.removeprefix("file:")
    registry = Registry.load(source, locale="en")
    _say(
        i18n.tr(
            "answering from {source}, environment {env}, {digest}",
            source=source,
            env=_env(registry),
            digest=registry.digest,
        )
    )
    if "://" not in local:
        newer = _newer_registry(Path(local))
        if newer is not None:
            folder, path = newer
            _say(
                i18n.tr(
                    "{warning}: {path} changed after {lock} was written: answers may be stale "
                    "(run `regctl compile`, or pass --registry {folder})",
                    warning=i18n._("warning"),
                    path=str(display_path(path)),
                    lock=local,
                    folder=str(display_path(folder)),
                ),
                always=True,
            )
    return registry
