"""Publish a static export (``regctl export static``) to S3 or an S3-compatible store.

Objects go under ``PREFIX/sha256-<hex>/...`` with ``Cache-Control: immutable`` (a
digest root never changes), then ``PREFIX/current.json`` last with ``no-cache``: a
reader following ``current.json`` never sees a root that is not complete. The client,
endpoint and credentials are the S3 target's (``regctl.deploy.targets.s3``): the
standard AWS chain, ``AWS_ENDPOINT_URL`` or ``?endpoint=``, never credentials in the URI.
"""

from __future__ import annotations

from pathlib import Path

from regctl.deploy.targets.base import TargetError
from regctl.deploy.targets.s3 import parse_s3_uri, s3_client, s3_error
from regctl.io.safeio import read_regular

IMMUTABLE = "public, max-age=31536000, immutable"
#: A route file is one answer of the read API; the whole manifest is the largest.
MAX_FILE = 256 * 1024 * 1024


def publish_s3(folder: Path, root: str, uri: str, *, timeout: float = 30.0) -> int:
    """Upload ``folder/root`` and then ``folder/current.json`` to ``uri``; returns objects sent."""
    bucket, key, options = parse_s3_uri(uri)
    prefix = key.strip("/") + "/"
    client = s3_client(options, timeout)  # the operator's command line: signed requests
    from botocore.exceptions import BotoCoreError, ClientError

    sent = 0
    files = sorted(p for p in (folder / root).rglob("*") if p.is_file())
    uploads = [
        (p, f"{prefix}{root}/{p.relative_to(folder / root).as_posix()}", IMMUTABLE) for p in files
    ]
    uploads.append((folder / "current.json", f"{prefix}current.json", "no-cache"))
    for path, name, cache in uploads:
        body = read_regular(path, MAX_FILE)
        try:
            client.put_object(
                Bucket=bucket,
                Key=name,
                Body=body,
                ContentType="application/json",
                CacheControl=cache,
            )
        except (BotoCoreError, ClientError) as exc:
            reason, _status = s3_error(exc)
            raise TargetError(f"cannot publish {name} to s3://{bucket}: {reason}") from None
        sent += 1
    return sent
