"""The ``s3://BUCKET/KEY`` target: a manifest object in AWS S3 or an S3-compatible store.

Compare-and-swap with S3 conditional writes: the first deploy sends
``If-None-Match: *`` and every later one ``If-Match: <etag of what plan read>``,
so the store refuses (HTTP 412) a write based on a manifest someone replaced
meanwhile. An object PUT is atomic: readers see the old or the new manifest.

History: when the bucket has versioning on, every version of ``KEY`` that
regctl wrote carries its digest in the ``x-amz-meta-regctl-digest`` header and
rollback reads it back by version id. Otherwise regctl keeps a copy of every
manifest under ``KEY.history/sha256-<hex>.json`` (written *before* the manifest,
so a deployed manifest is always in history), ordered by when it was last applied.

The endpoint comes from ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_S3``) or an
``?endpoint=URL`` option on the URI; ``?region=NAME`` sets the region. Credentials
come only from the standard AWS chain (environment, profile, web identity, instance
role), never from the registry. boto3 is imported only when an S3 target is used:
install it with ``pip install 'regctl[s3]'``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from regctl.base.canonical import DIGEST_PREFIX
from regctl.base.errors import UsageError
from regctl.deploy.targets import policy
from regctl.deploy.targets.base import (
    Deployed,
    HistoryEntry,
    TargetChanged,
    TargetError,
    WriteResult,
)

DIGEST_META = "regctl-digest"
#: When regctl wrote an object (microseconds: S3's LastModified has only seconds).
APPLIED_META = "regctl-applied-at"
#: Versions of KEY looked at for history (newest first); older ones are ignored.
MAX_VERSIONS = 200


def parse_s3_uri(uri: str) -> tuple[str, str, dict[str, str]]:
    """``s3://BUCKET/KEY?endpoint=URL&region=R`` -> (bucket, key, options)."""
    parts = urlsplit(uri)
    bucket, key = parts.netloc, parts.path.lstrip("/")
    if parts.scheme != "s3" or not bucket or not key or key.endswith("/"):
        raise UsageError(f"bad S3 target {uri!r}: use s3://BUCKET/KEY")
    if "@" in bucket:
        raise UsageError(
            "credentials in an S3 target URI are not allowed; use the AWS credential chain "
            "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity)"
        )
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - {"endpoint", "region"})
    if unknown:
        raise UsageError(f"unknown S3 target option(s) {', '.join(unknown)} in {uri!r}")
    return bucket, key, options


def s3_client(options: dict[str, str], timeout: float = 10.0, *, signed: bool = True) -> Any:
    """A boto3 S3 client for ``options`` (endpoint and region), credentials from the chain.

    ``signed=False``: anonymous requests (no credentials, no signature) for an endpoint
    the operator did not allow (see :class:`S3Target`).
    """
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UsageError("s3:// targets need boto3: pip install 'regctl[s3]'") from None
    from botocore import UNSIGNED

    config = Config(
        signature_version=None if signed else UNSIGNED,
        connect_timeout=min(timeout, 5.0),
        read_timeout=timeout,
        retries={"max_attempts": 3, "mode": "standard"},
        # Path-style addressing works with every S3-compatible store on any host name.
        s3={"addressing_style": "path"},
    )
    kwargs: dict[str, Any] = {"config": config}
    if options.get("endpoint"):
        kwargs["endpoint_url"] = options["endpoint"]
    if options.get("region"):
        kwargs["region_name"] = options["region"]
    session = boto3.session.Session()
    if session.region_name is None and "region_name" not in kwargs:
        kwargs["region_name"] = "us-east-1"
    return session.client("s3", **kwargs)


def s3_error(exc: Exception) -> tuple[str, int | None]:
    """A short reason for a botocore failure (never the request, which holds signatures)."""
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{err.get('Code', 'error')} (HTTP {status})", status
    if isinstance(exc, NoCredentialsError):
        return (
            "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)",
            None,
        )
    return type(exc).__name__, None


class S3Target:
    """A manifest object with conditional writes and versioned or prefixed history."""

    supports_history = True

    def __init__(self, uri: str, *, timeout: float = 10.0, operator: bool = False) -> None:
        self.uri = uri
        self.bucket, self.key, options = parse_s3_uri(uri)
        self.history_prefix = self.key + ".history/"
        # An ``?endpoint=`` written in the registry is a host a pull request chose: signed
        # requests (the access key id, a session token) go there only when the operator
        # allowed it (regctl.deploy.targets.policy); otherwise requests go out anonymous.
        # AWS_ENDPOINT_URL and --target are the operator's own choice.
        self.credential_note = ""
        signed = True
        if options.get("endpoint") and not operator:
            decision = policy.decide(options["endpoint"])
            if not decision.allowed:
                signed = False
                self.credential_note = f"; AWS credentials were not sent: {decision.reason}"
        self._client = s3_client(options, timeout, signed=signed)
        self._versioned: bool | None = None

    def __repr__(self) -> str:
        return f"S3Target({self.uri!r})"

    def _call(self, what: str, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self._client, method)(Bucket=self.bucket, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            reason, status = s3_error(exc)
            if status == 404 and "NoSuchBucket" in reason:
                reason = f"bucket {self.bucket!r} does not exist"
            raise _Failed(
                f"cannot {what} target {self.uri}: {reason}{self.credential_note}", status
            ) from None

    # -- reading -----------------------------------------------------------------
    def read(self) -> Deployed:
        """GET the object; a missing key means nothing deployed yet."""
        try:
            resp = self._call("read", "get_object", Key=self.key)
        except _Failed as exc:
            if exc.status == 404 and "NoSuchKey" in str(exc):
                return Deployed(None)
            raise exc.plain() from None
        return Deployed(resp["Body"].read(), resp.get("ETag"))

    # -- writing -----------------------------------------------------------------
    def write(self, text: str, digest: str, *, expected: Deployed) -> WriteResult:
        """PUT ``text`` iff the object still holds ``expected`` (If-Match / If-None-Match)."""
        data = text.encode("utf-8")
        cond: dict[str, str] = {}
        if not expected.exists:
            cond["IfNoneMatch"] = "*"
        elif expected.version:
            cond["IfMatch"] = expected.version
        elif self.read().fingerprint != expected.fingerprint:
            raise self._changed()
        meta = {DIGEST_META: digest, APPLIED_META: _now()}
        try:
            if not self.versioned():
                # Before the manifest, so a deployed manifest is always in history.
                self._keep(digest, data, meta, create_only=True)
            self._call(
                "write", "put_object", Key=self.key, Body=data,
                ContentType="application/json", Metadata=meta, **cond,
            )  # fmt: skip
            if not self.versioned():
                # Stamped again once deployed: the history is ordered by last apply.
                self._keep(digest, data, meta, create_only=False)
        except _Failed as exc:
            if exc.status in (409, 412):
                # A retried PUT may have landed before its answer was lost: then it is ours.
                if self.read().digest == digest:
                    return WriteResult(digest, expected.digest, self.uri)
                raise self._changed() from None
            raise exc.plain() from None
        return WriteResult(digest, expected.digest, self.uri)

    def _keep(self, digest: str, data: bytes, meta: dict[str, str], *, create_only: bool) -> None:
        cond = {"IfNoneMatch": "*"} if create_only else {}
        try:
            self._call(
                "write history of", "put_object", Key=self._history_key(digest), Body=data,
                ContentType="application/json", Metadata=meta, **cond,
            )  # fmt: skip
        except _Failed as exc:
            if exc.status not in (409, 412):  # 412: already kept, which is all we need
                raise

    def _changed(self) -> TargetChanged:
        return TargetChanged(
            f"target {self.uri} changed since plan (HTTP 412 Precondition Failed); run plan again"
        )

    def _history_key(self, digest: str) -> str:
        hexpart = digest[len(DIGEST_PREFIX) :]
        if not digest.startswith(DIGEST_PREFIX) or not hexpart.isalnum():
            raise TargetError(f"not a manifest digest: {digest!r}")
        return f"{self.history_prefix}sha256-{hexpart}.json"

    # -- history -----------------------------------------------------------------
    def versioned(self) -> bool:
        """Whether the bucket keeps versions (then history comes from them)."""
        if self._versioned is None:
            try:
                resp = self._call("read versioning of", "get_bucket_versioning")
            except _Failed as exc:
                raise exc.plain() from None
            self._versioned = resp.get("Status") == "Enabled"
        return self._versioned

    def _versions(self) -> list[tuple[str, str, str]]:
        """(digest, version id, applied_at) of regctl-written versions, oldest first."""
        out: list[tuple[str, str, str]] = []
        try:
            resp = self._call(
                "list versions of", "list_object_versions", Prefix=self.key, MaxKeys=MAX_VERSIONS
            )
            for v in resp.get("Versions", []):
                if v.get("Key") != self.key:
                    continue
                head = self._call(
                    "read history of", "head_object", Key=self.key, VersionId=v["VersionId"]
                )
                meta = head.get("Metadata") or {}
                if meta.get(DIGEST_META):
                    at = meta.get(APPLIED_META) or _iso(v.get("LastModified"))
                    out.append((meta[DIGEST_META], v["VersionId"], at))
        except _Failed as exc:
            raise exc.plain() from None
        out.reverse()  # S3 lists versions newest first
        return out

    def _prefixed(self) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        token: dict[str, str] = {}
        try:
            while True:
                resp = self._call(
                    "list history of", "list_objects_v2", Prefix=self.history_prefix, **token
                )
                for obj in resp.get("Contents", []):
                    name = obj["Key"][len(self.history_prefix) :]
                    if name.startswith("sha256-") and name.endswith(".json"):
                        digest = DIGEST_PREFIX + name[len("sha256-") : -len(".json")]
                        head = self._call("read history of", "head_object", Key=obj["Key"])
                        at = (head.get("Metadata") or {}).get(APPLIED_META)
                        out.append((digest, obj["Key"], at or _iso(obj.get("LastModified"))))
                if not resp.get("IsTruncated"):
                    break
                token = {"ContinuationToken": resp["NextContinuationToken"]}
        except _Failed as exc:
            raise exc.plain() from None
        out.sort(key=lambda e: e[2])
        return out

    def _entries(self) -> list[tuple[str, str, str]]:
        return self._versions() if self.versioned() else self._prefixed()

    def history(self) -> list[HistoryEntry]:
        """Manifests kept (versions, or the history prefix), oldest first."""
        return [HistoryEntry(d, at) for d, _, at in self._entries()]

    def history_digests(self) -> set[str]:
        """Digests of every manifest kept."""
        return {d for d, _, _ in self._entries()}

    def load_history(self, digest: str) -> str:
        """The manifest text kept under ``digest``."""
        self._history_key(digest)  # validates the digest
        for d, ref, _ in reversed(self._entries()):
            if d != digest:
                continue
            try:
                if self.versioned():
                    resp = self._call("read history of", "get_object", Key=self.key, VersionId=ref)
                else:
                    resp = self._call("read history of", "get_object", Key=ref)
            except _Failed as exc:
                raise exc.plain() from None
            try:
                return str(resp["Body"].read().decode("utf-8"))
            except UnicodeDecodeError:
                raise TargetError(f"history entry {digest} of {self.uri} is damaged") from None
        raise TargetError(f"{digest} is not in the history of target {self.uri}")


class _Failed(Exception):
    """A failed S3 call: the user-facing message plus the HTTP status, if any."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status

    def plain(self) -> TargetError:
        return TargetError(str(self))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def _iso(when: Any) -> str:
    if isinstance(when, _dt.datetime):
        return when.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")
    return str(when or "")
