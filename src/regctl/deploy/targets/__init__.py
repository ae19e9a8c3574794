"""Deploy targets: where ``regctl apply`` writes the lock manifest.

A target is named by a URI, chosen per environment in the Registry document's
``targets`` or given with ``--target``:

- ``file:PATH`` (``file:deploy/prod/manifest.lock.json``, ``file:/abs/path``,
  ``file:///abs/path``) or a bare path: :class:`~regctl.deploy.targets.file.FileTarget`.
  A relative PATH is resolved against ``base_dir``: the registry folder's parent
  (the repository root) for targets from the Registry document, the current
  directory for ``--target``.
- ``http://`` / ``https://``: :class:`~regctl.deploy.targets.http.HttpTarget`. The token
  is sent only as :mod:`regctl.deploy.targets.policy` allows.
- ``s3://BUCKET/KEY``: :class:`~regctl.deploy.targets.s3.S3Target` (AWS S3 and S3-compatible
  stores; needs the ``regctl[s3]`` extra).
- ``etcd://HOST:PORT/KEY`` (``etcds://`` for TLS): :class:`~regctl.deploy.targets.etcd.EtcdTarget`.

Each module (and boto3, for S3) is imported only when its scheme is used; every exchange
goes through the bounded I/O layer (:mod:`regctl.io`), its URL parsed once by
:mod:`regctl.io.urls` for both the token policy and the connection.
"""

from __future__ import annotations

from pathlib import Path

from regctl.base.errors import UsageError
from regctl.deploy.targets.base import (
    Deployed,
    HistoryEntry,
    Target,
    TargetChanged,
    TargetError,
    TargetLocked,
    WriteResult,
)

__all__ = [
    "Deployed",
    "HistoryEntry",
    "Target",
    "TargetChanged",
    "TargetError",
    "TargetLocked",
    "WriteResult",
    "open_target",
    "resolve_uri",
]


_REMOTE = ("http://", "https://", "s3://", "etcd://", "etcds://")


def resolve_uri(uri: str, base_dir: Path) -> str:
    """The absolute form of ``uri``: relative file paths joined to ``base_dir``."""
    if uri.startswith(_REMOTE):
        return uri
    path = _file_path(uri)
    return "file:" + str(path if path.is_absolute() else (base_dir / path).resolve())


def _file_path(uri: str) -> Path:
    if uri.startswith("file://"):
        rest = uri[len("file://") :]
        if not rest.startswith("/"):
            raise UsageError(f"unsupported target {uri!r}: file:// URIs need an absolute path")
        return Path(rest)
    if uri.startswith("file:"):
        return Path(uri[len("file:") :])
    if "://" in uri:
        raise UsageError(
            f"unsupported target {uri!r}: use file:PATH, http(s)://URL, s3://BUCKET/KEY "
            "or etcd://HOST:PORT/KEY"
        )
    return Path(uri)


def open_target(
    uri: str, base_dir: Path, *, display: str | None = None, operator: bool = False
) -> Target:
    """Open the target named by ``uri`` (see the module docs for the forms).

    ``operator`` says the URI came from the operator (``--target``), not from the
    registry: only then may its host receive the token without being listed in
    ``REGCTL_TARGET_ALLOWED_HOSTS`` (see :mod:`regctl.deploy.targets.policy`).
    """
    if not uri or uri in ("file:", "file://"):
        raise UsageError("empty target URI")
    if uri.startswith(("http://", "https://")):
        from regctl.deploy.targets.http import HttpTarget

        if "@" in uri.split("://", 1)[1].split("/", 1)[0]:
            # A URL is printed in plans and saved in plan files: no place for a password.
            raise UsageError(
                "credentials in a target URL are not allowed (they would be printed and "
                "saved in plan files); set REGCTL_TARGET_TOKEN instead"
            )

        return HttpTarget(uri, operator_urls=[uri] if operator else [])
    if uri.startswith("s3://"):
        from regctl.deploy.targets.s3 import S3Target

        return S3Target(uri, operator=operator)
    if uri.startswith(("etcd://", "etcds://")):
        from regctl.deploy.targets.etcd import EtcdTarget

        return EtcdTarget(uri, operator=operator)
    from regctl.deploy.targets.file import FileTarget

    path = _file_path(uri)
    if not path.is_absolute():
        path = (base_dir / path).resolve()
    return FileTarget(path, uri=display or uri)
