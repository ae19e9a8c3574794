"""Publish a static export (``regctl export static``) to S3 or an S3-compatible store.

Objects go under ``PREFIX/sha256-<hex>/...`` with ``Cache-Control: immutable`` (a
digest root never changes), then ``PREFIX/current.json`` last with ``no-cache``: a
reader following ``current.json`` never sees a root that is not complete. Every
request is the S3 target's (:class:`regctl.deploy.targets.s3.S3Target`): its
endpoint handling, credentials chain and bounded exchanges; never credentials in
the URI.
"""

from __future__ import annotations

from pathlib import Path

from regctl.deploy.targets.base import TargetError
from regctl.deploy.targets.s3 import S3Target
from regctl.io.safeio import read_regular

IMMUTABLE = "public, max-age=31536000, immutable"
#: A route file is one answer of the read API; the whole manifest is the largest.
MAX_FILE = 256 * 1024 * 1024


def publish_s3(folder: Path, root: str, uri: str, *, timeout: float = 30.0) -> int:
    """Upload ``folder/root`` and then ``folder/current.json`` to ``uri``; returns objects sent.

    ``uri`` is ``s3://BUCKET/PREFIX[?endpoint=URL&region=R]``, given by the operator
    on the command line (so requests are signed, as for ``apply --target``).
    """
    base, _, query = uri.partition("?")
    pointer = base.rstrip("/") + "/current.json" + (f"?{query}" if query else "")
    target = S3Target(pointer, timeout=timeout, operator=True)
    prefix = target.key.rsplit("/", 1)[0] + "/"
    files = sorted(p for p in (folder / root).rglob("*") if p.is_file())
    uploads = [
        (p, f"{prefix}{root}/{p.relative_to(folder / root).as_posix()}", IMMUTABLE) for p in files
    ]
    uploads.append((folder / "current.json", target.key, "no-cache"))
    for path, key, cache in uploads:
        body = read_regular(path, MAX_FILE)
        try:
            target._call(
                f"publish {key} to",
                "put_object",
                Key=key,
                Body=body,
                ContentType="application/json",
                CacheControl=cache,
            )
        except TargetError:
            raise
        except Exception as exc:  # the target's own failure type, made plain
            plain = getattr(exc, "plain", None)
            if callable(plain):
                raise plain() from None
            raise
    return len(uploads)
