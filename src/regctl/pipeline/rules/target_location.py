"""A ``file:`` target must stay inside the repository and must not be a device.

``targets`` in the Registry document is part of the pull request, so a change could
point ``apply`` at ``file:/etc/cron.d/x``, at ``file:../../other-repo/x`` or at
``/dev/sda``. A relative ``file:`` target is resolved against the folder that holds
the registry folder (the repository root), as ``plan``/``apply`` do; the result must
be inside that folder, and no target may be a device path (``/dev``, ``/proc``,
``/sys``) or a device file. To deploy elsewhere, the operator names the target with
``--target``, which is not part of the registry.

A URL target (``http(s)://``, the ``?endpoint=`` of an ``s3://`` target, the host of an
``etcd://`` target) must be one the URL parser of the I/O layer accepts
(:mod:`regctl.io.urls`): the same parser decides where credentials may go and where
the connection goes, and it refuses the forms two parsers read differently (user info,
backslashes, fragments, percent escapes in a host, non-canonical IPv4). Which hosts
get the token is decided when the target is used (see docs/security.md).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from regctl.base.i18n import msg
from regctl.io import urls
from regctl.messages.problems import Problem
from regctl.pipeline.positions import PosDict
from regctl.pipeline.registry import View

ID = "target-location"
PER_ENVIRONMENT = False

_DEVICE_DIRS = ("/dev", "/proc", "/sys")


def _repository(view: View) -> Path | None:
    files = [d.file for d in view.documents]
    if not files:
        return None
    folders = [os.path.dirname(os.path.abspath(f)) for f in files]
    return Path(os.path.commonpath(folders)).resolve().parent


def _path(uri: str) -> str | None:
    if uri.startswith("file://"):
        return uri[len("file://") :]
    if uri.startswith("file:"):
        return uri[len("file:") :]
    if "://" in uri:
        return None  # a URL: not a file target
    return uri


def check(view: View) -> Iterator[Problem]:
    doc = view.registry
    if doc is None or not isinstance(doc.raw.get("targets"), PosDict):
        return
    targets: PosDict = doc.raw["targets"]
    repo = _repository(view)
    for env, uri in targets.items():
        if not isinstance(uri, str):
            continue
        where = targets.val_pos[env]
        refused = _url_refused(uri)
        if refused:
            text = msg(
                "target '{env}' is not a URL regctl connects to: {reason}", env=env, reason=refused
            )
            yield Problem(ID, text, where)
            continue
        path = _path(uri)
        if path is None or not path:
            continue
        full = Path(path) if os.path.isabs(path) else (repo or Path.cwd()) / path
        real = full.resolve()
        if any(str(real) == d or str(real).startswith(d + "/") for d in _DEVICE_DIRS) or (
            real.exists() and not (stat.S_ISREG(real.stat().st_mode) or real.is_dir())
        ):
            text = msg(
                "target '{env}' is a device or special file ({path}); {hint}",
                env=env,
                path=str(real),
                hint=_hint(),
            )
            yield Problem(ID, text, targets.val_pos[env])  # positions only for a problem
            continue
        if repo is not None and real != repo and repo not in real.parents:
            yield Problem(
                ID,
                msg(
                    "target '{env}' resolves to {path}, outside the repository {repo}; {hint}",
                    env=env,
                    path=str(real),
                    repo=str(repo),
                    hint=_hint(),
                ),
                targets.val_pos[env],
            )


def _url_refused(uri: str) -> str | None:
    """Why the I/O layer's URL parser refuses the URL in ``uri`` (``None``: accepted)."""
    try:
        if uri.startswith(("http://", "https://")):
            urls.parse(uri, allow_userinfo=True)  # user info: plaintext-secret's to report
        elif uri.startswith("s3://"):
            endpoint = urls.parse_store(uri, ("s3",)).options.get("endpoint")
            if endpoint:
                urls.parse(endpoint)
        elif uri.startswith(("etcd://", "etcds://")):
            urls.parse("http://" + urls.parse_store(uri, ("etcd", "etcds")).authority)
    except urls.BadUrl as exc:
        return str(exc)
    return None


def _hint() -> str:
    return msg("a registry may only name targets inside its repository (use --target for others)")
