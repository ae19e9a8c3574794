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
import os
import re
import time
from typing import Any

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
from regctl.deploy.targets.s3_wire import (
    CallFailed,
    Wire,
    call,
    parse_s3_uri,
    s3_client,
    s3_endpoint,
    s3_region,
)
from regctl.io import tls

DIGEST_META = "regctl-digest"
#: When regctl wrote an object (microseconds: S3's LastModified has only seconds).
APPLIED_META = "regctl-applied-at"
#: Versions of KEY looked at for history (newest first); older ones are ignored.
MAX_VERSIONS = 200
#: The largest manifest object read (the client's cap).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
#: Attempts per call for connection failures and 5xx answers (within the one deadline).
ATTEMPTS = 4


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
        region = s3_region(options)
        endpoint, from_uri = s3_endpoint(options, region)
        if from_uri and not operator:
            # The decision is about this parsed endpoint, and the wire sends only to it.
            decision = policy.decide(endpoint)
            if not decision.allowed:
                signed = False
                self.credential_note = f"; AWS credentials were not sent: {decision.reason}"
        bundle = os.environ.get("AWS_CA_BUNDLE") if endpoint.scheme == "https" else None
        try:
            ctx = tls.context(bundle) if bundle else None
        except tls.TlsError as exc:
            raise UsageError(f"AWS_CA_BUNDLE: {exc}") from None
        self._wire = Wire(endpoint, timeout=timeout, max_bytes=MAX_MANIFEST_BYTES, ssl_context=ctx)
        self._client = s3_client(region, self._wire, signed=signed)
        self._versioned: bool | None = None

    def __repr__(self) -> str:
        return f"S3Target({self.uri!r})"

    def _call(self, what: str, method: str, **kwargs: Any) -> dict[str, Any]:
        """One S3 call with its retries (connection failures, 5xx) inside one total deadline."""
        deadline = self._wire.start()
        failed: CallFailed | None = None
        attempts = 0
        for attempt in range(ATTEMPTS):
            if attempt:
                pause = 0.25 * 2 ** (attempt - 1)
                if time.monotonic() + pause >= deadline:
                    break  # no time left for another try: report the last failure
                time.sleep(pause)
            attempts += 1
            try:
                return call(self._client, method, Bucket=self.bucket, **kwargs)
            except CallFailed as exc:
                failed = exc
                if not exc.retry:
                    break
        assert failed is not None
        reason = failed.reason
        if failed.status == 404 and "NoSuchBucket" in reason:
            reason = f"bucket {self.bucket!r} does not exist"
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        raise _Failed(
            f"cannot {what} target {self.uri}: {reason}{tries}{self.credential_note}",
            failed.status,
        )

    # -- reading -----------------------------------------------------------------
    def read(self) -> Deployed:
        """GET the object; a missing key means nothing deployed yet."""
        try:
            resp = self._call("read", "get_object", Key=self.key)
        except _Failed as exc:
            if exc.status == 404 and "NoSuchKey" in str(exc):
                return Deployed(None)
            raise exc.plain() from None
        return Deployed(_body(resp), _text(resp.get("ETag")))

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
            self._versioned = _text(resp.get("Status")) == "Enabled"
        return self._versioned

    def _versions(self) -> list[tuple[str, str, str]]:
        """(digest, version id, applied_at) of regctl-written versions, oldest first."""
        out: list[tuple[str, str, str]] = []
        try:
            resp = self._call(
                "list versions of", "list_object_versions", Prefix=self.key, MaxKeys=MAX_VERSIONS
            )
            for v in _records(resp.get("Versions")):
                version = _text(v.get("VersionId"))
                if v.get("Key") != self.key or not version:
                    continue
                head = self._call("read history of", "head_object", Key=self.key, VersionId=version)
                meta = _meta(head)
                if meta.get(DIGEST_META):
                    at = meta.get(APPLIED_META) or _iso(v.get("LastModified"))
                    out.append((meta[DIGEST_META], version, at))
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
                for obj in _records(resp.get("Contents")):
                    full = _text(obj.get("Key"))
                    name = full[len(self.history_prefix) :]
                    if full.startswith(self.history_prefix) and _HISTORY_NAME.fullmatch(name):
                        digest = DIGEST_PREFIX + name[len("sha256-") : -len(".json")]
                        head = self._call("read history of", "head_object", Key=full)
                        at = _meta(head).get(APPLIED_META)
                        out.append((digest, full, at or _iso(obj.get("LastModified"))))
                following = _text(resp.get("NextContinuationToken"))
                if resp.get("IsTruncated") is not True or not following or len(out) > 10_000:
                    break
                token = {"ContinuationToken": following}
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
                return _body(resp).decode("utf-8")
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


_HISTORY_NAME = re.compile(r"sha256-[0-9a-f]{64}\.json")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _records(value: Any) -> list[dict[str, Any]]:
    """A list of records from an S3 listing; anything else (a hostile store) is no records."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _meta(head: dict[str, Any]) -> dict[str, str]:
    meta = head.get("Metadata")
    if not isinstance(meta, dict):
        return {}
    return {k: v for k, v in meta.items() if isinstance(k, str) and isinstance(v, str)}


def _body(resp: dict[str, Any]) -> bytes:
    """The object's bytes: already read whole, under the cap, by the wire (no second read)."""
    body = resp.get("Body")
    data = body.read() if body is not None and hasattr(body, "read") else b""
    return data if isinstance(data, bytes) else b""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def _iso(when: Any) -> str:
    if isinstance(when, _dt.datetime):
        return when.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")
    return str(when or "")
