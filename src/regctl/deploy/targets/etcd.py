"""The ``etcd://HOST:PORT/KEY`` target: a manifest in etcd v3, through its JSON gateway.

The layout (gzip chunks under ``KEY/history/``, a small pointer at ``KEY``) is
described in :mod:`regctl.client._etcd`, which the client shares to read it.
Compare-and-swap: the pointer is replaced by one transaction that compares
``KEY``'s ``mod_revision`` with the one plan read (``create_revision == 0`` on the
first deploy); a failed compare is "target changed since plan". Chunks are
written first, so the pointer never names a manifest that is not all there.
etcd compacts old revisions, so history is kept in keys, not revisions.

``etcds://`` speaks TLS. TLS files and auth come from etcdctl's environment
variables, never from the registry: ``ETCDCTL_CACERT``, ``ETCDCTL_CERT``,
``ETCDCTL_KEY``, ``ETCDCTL_USER`` (``user:password``, or with
``ETCDCTL_PASSWORD``). httpx is used because the Python gRPC clients for etcd
are unmaintained.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import httpx

from regctl.base.errors import UsageError
from regctl.client import _etcd as layout
from regctl.deploy.targets import policy
from regctl.deploy.targets.base import (
    Deployed,
    HistoryEntry,
    TargetChanged,
    TargetError,
    WriteResult,
)

#: Largest compressed manifest the target stores (etcd's default backend quota is 2 GiB).
MAX_COMPRESSED = 64 * 1024 * 1024


class EtcdTarget:
    """A chunked, compressed manifest under one etcd key, swapped by transaction."""

    supports_history = True

    def __init__(self, uri: str, *, timeout: float = 10.0, operator: bool = False) -> None:
        self.uri = uri
        try:
            self.base, self.key = layout.parse_uri(uri)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        # etcd://HOST in the registry is a host a pull request chose: the ETCDCTL_USER
        # password goes to it only when the operator allowed it (regctl.deploy.targets.policy).
        decision = policy.decide(
            self.base, operator_urls=[self.base] if operator else [], secure_schemes=("https",)
        )
        self._may_authenticate = decision.allowed
        self.credential_note = (
            "" if decision.allowed else f"; etcd credentials were not sent: {decision.reason}"
        )
        self._timeout = timeout
        ctx = layout.tls_context()
        self._client = httpx.Client(
            base_url=self.base + layout.GATEWAY,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            verify=ctx if ctx is not None else True,
            headers={"User-Agent": "regctl"},
        )
        self._auth: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"EtcdTarget({self.uri!r})"

    def _post(self, what: str, path: str, body: dict[str, Any]) -> Any:
        if self._auth is None:
            creds = layout.credentials() if self._may_authenticate else None
            self._auth = {}
            if creds is not None:
                got = self._post(
                    what, "/auth/authenticate", {"name": creds[0], "password": creds[1]}
                )
                self._auth = {"Authorization": str(got.get("token", ""))}
        try:
            resp = self._client.post(path, json=body, headers=self._auth)
        except httpx.TimeoutException:
            raise TargetError(f"cannot {what} target {self.uri}: timed out") from None
        except httpx.TransportError:
            raise TargetError(
                f"cannot {what} target {self.uri}: connection refused or host unreachable"
            ) from None
        if resp.status_code != 200:
            # etcd's error text ("etcdserver: request is too large") names no secret.
            try:
                message = str(resp.json().get("error") or resp.json().get("message"))
            except ValueError:
                message = ""
            note = self.credential_note if layout.credentials() is not None else ""
            raise _GatewayError(
                f"cannot {what} target {self.uri}: HTTP {resp.status_code} {message}".rstrip()
                + note,
                message,
            )
        return resp.json()

    # -- reading -----------------------------------------------------------------
    def read(self) -> Deployed:
        """The manifest the pointer names (``Deployed(None)`` when ``KEY`` is absent)."""
        got = self._post("read", "/kv/range", layout.range_body(self.key))
        kvs = got.get("kvs") or []
        if not kvs:
            return Deployed(None)
        value = layout.unb64(kvs[0].get("value"))
        rev = str(kvs[0].get("mod_revision", "0"))
        ptr = layout.parse_pointer(value)
        if ptr is None:
            return Deployed(value, rev)  # hand-written: plan shows it as drift or garbage
        return Deployed(self._chunks(ptr["digest"], ptr), rev)

    def _chunks(self, digest: str, ptr: dict[str, Any]) -> bytes:
        prefix = layout.chunk_prefix(self.key, digest)
        got = self._post("read", "/kv/range", layout.range_body(prefix, prefix=True))
        kvs = got.get("kvs") or []
        try:
            return layout.assemble(ptr, kvs)
        except layout.EtcdLayoutError as exc:
            raise TargetError(f"target {self.uri}: manifest {digest} is damaged: {exc}") from None

    # -- writing -----------------------------------------------------------------
    def write(self, text: str, digest: str, *, expected: Deployed) -> WriteResult:
        """Write the chunks, then swap the pointer iff ``KEY`` still has ``expected``'s revision."""
        data = text.encode("utf-8")
        gz = layout.compress(data)
        if len(gz) > MAX_COMPRESSED:
            raise TargetError(
                f"manifest is {len(data)} bytes ({len(gz)} gzip-compressed), over the etcd "
                f"target's limit of {MAX_COMPRESSED} compressed bytes"
            )
        parts = layout.split(gz)
        prefix = layout.chunk_prefix(self.key, digest)
        for i, part in enumerate(parts):
            try:
                self._post(
                    "write",
                    "/kv/put",
                    {"key": layout.b64(f"{prefix}{i:04d}"), "value": layout.b64(part)},
                )
            except _GatewayError as exc:
                if "too large" in exc.detail:
                    raise TargetError(
                        f"etcd at {self.base} refused a {len(layout.b64(part))}-byte request "
                        f"(chunk {i + 1} of {len(parts)} of manifest {digest}: {len(data)} "
                        f"bytes, {len(gz)} gzip-compressed) as over its --max-request-bytes; "
                        f"regctl sends up to {layout.CHUNK_BYTES * 4 // 3 + 1024} bytes per "
                        "request: raise the limit (etcd's default is 1.5 MiB)"
                    ) from None
                raise TargetError(str(exc)) from None
        if expected.exists and expected.version is None:
            raise TargetChanged(f"target {self.uri} changed since plan; run plan again")
        rev = expected.version if expected.exists else "0"
        target = "MOD" if expected.exists else "CREATE"
        field = "mod_revision" if expected.exists else "create_revision"
        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
        entry = {"digest": digest, "previous": expected.digest, "applied_at": now}
        ptr = layout.pointer(digest, data, len(parts))
        log_key = layout.log_prefix(self.key) + now
        txn = {
            "compare": [
                {"key": layout.b64(self.key), "target": target, "result": "EQUAL", field: rev}
            ],
            "success": [
                {"request_put": {"key": layout.b64(self.key), "value": layout.b64(ptr)}},
                {
                    "request_put": {
                        "key": layout.b64(log_key),
                        "value": layout.b64(json.dumps(entry)),
                    }
                },
            ],
        }
        try:
            got = self._post("write", "/kv/txn", txn)
        except _GatewayError as exc:
            raise TargetError(str(exc)) from None
        if not got.get("succeeded"):
            raise TargetChanged(
                f"target {self.uri} changed since plan (its mod_revision is no longer {rev}); "
                "run plan again"
            )
        return WriteResult(digest, expected.digest, self.uri)

    # -- history -----------------------------------------------------------------
    def history(self) -> list[HistoryEntry]:
        """Applies recorded under ``KEY/history/log/``, oldest first."""
        got = self._post(
            "read history of",
            "/kv/range",
            layout.range_body(layout.log_prefix(self.key), prefix=True),
        )
        entries = []
        for kv in got.get("kvs") or []:
            try:
                rec = json.loads(layout.unb64(kv.get("value")))
            except ValueError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("digest"), str):
                entries.append(HistoryEntry(rec["digest"], rec.get("applied_at")))
        return entries

    def history_digests(self) -> set[str]:
        """Digests with chunks kept under ``KEY/history/``."""
        body = layout.range_body(f"{self.key}/history/sha256-", prefix=True)
        body["keys_only"] = True
        got = self._post("read history of", "/kv/range", body)
        out = set()
        for kv in got.get("kvs") or []:
            name = layout.unb64(kv.get("key")).decode("utf-8", "replace")
            out.add("sha256:" + name.rsplit("/", 2)[-2][len("sha256-") :])
        return out

    def load_history(self, digest: str) -> str:
        """The manifest text kept under ``digest``."""
        try:
            layout.chunk_prefix(self.key, digest)
        except ValueError as exc:
            raise TargetError(str(exc)) from None
        if digest not in self.history_digests():
            raise TargetError(f"{digest} is not in the history of target {self.uri}")
        prefix = layout.chunk_prefix(self.key, digest)
        got = self._post("read history of", "/kv/range", layout.range_body(prefix, prefix=True))
        try:
            return layout.unpack_unchecked(got.get("kvs") or []).decode("utf-8")
        except (layout.EtcdLayoutError, UnicodeDecodeError) as exc:
            raise TargetError(f"history entry {digest} of {self.uri} is damaged: {exc}") from None

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class _GatewayError(TargetError):
    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail
