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
``ETCDCTL_PASSWORD``). The JSON gateway is used because the Python gRPC clients for
etcd are unmaintained; it is spoken through :class:`regctl.client._etcd.Gateway`
(the bounded I/O layer: a total deadline per operation, a body cap, shape-checked
answers), which the client shares.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

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
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
#: Largest manifest read back (the client's cap).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


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
        # The decision is about the parsed endpoint the gateway then connects to.
        decision = policy.decide(
            self.base, operator_urls=[self.base] if operator else [], secure_schemes=("https",)
        )
        self.credential_note = (
            "" if decision.allowed else f"; etcd credentials were not sent: {decision.reason}"
        )
        try:
            self._gw = layout.Gateway(self.base, timeout=timeout, authenticate=decision.allowed)
        except layout.EtcdError as exc:
            raise UsageError(str(exc)) from None

    def __repr__(self) -> str:
        return f"EtcdTarget({self.uri!r})"

    def _fail(self, what: str, exc: layout.EtcdError) -> TargetError:
        note = ""
        if isinstance(exc, layout.EtcdStatus) and layout.credentials() is not None:
            note = self.credential_note
        return TargetError(f"cannot {what} target {self.uri}: {exc}{note}")

    def _post(self, what: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._gw.post(path, body)
        except layout.EtcdError as exc:
            raise self._fail(what, exc) from None

    def _range(
        self, what: str, key: str, *, prefix: bool = False, keys_only: bool = False
    ) -> list[layout.KV]:
        try:
            return self._gw.range(key, prefix=prefix, keys_only=keys_only)
        except layout.EtcdError as exc:
            raise self._fail(what, exc) from None

    # -- reading -----------------------------------------------------------------
    def read(self) -> Deployed:
        """The manifest the pointer names (``Deployed(None)`` when ``KEY`` is absent)."""
        self._gw.start()
        kvs = self._range("read", self.key)
        if not kvs:
            return Deployed(None)
        value, rev = kvs[0].value, str(kvs[0].mod_revision)
        ptr = layout.parse_pointer(value)
        if ptr is None:
            return Deployed(value, rev)  # hand-written: plan shows it as drift or garbage
        return Deployed(self._chunks(ptr["digest"], ptr), rev)

    def _chunks(self, digest: str, ptr: dict[str, Any]) -> bytes:
        try:
            prefix = layout.chunk_prefix(self.key, digest)
            return layout.assemble(
                ptr, self._range("read", prefix, prefix=True), MAX_MANIFEST_BYTES
            )
        except (ValueError, layout.EtcdLayoutError) as exc:
            raise TargetError(
                f"target {self.uri}: manifest {digest[:80]} is damaged: {exc}"
            ) from None

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
            self._gw.start()  # each request its own deadline: a large manifest is many puts
            try:
                self._gw.post(
                    "/kv/put",
                    {"key": layout.b64(f"{prefix}{i:04d}"), "value": layout.b64(part)},
                )
            except layout.EtcdError as exc:
                if isinstance(exc, layout.EtcdStatus) and "too large" in exc.detail:
                    raise TargetError(
                        f"etcd at {self.base} refused a {len(layout.b64(part))}-byte request "
                        f"(chunk {i + 1} of {len(parts)} of manifest {digest}: {len(data)} "
                        f"bytes, {len(gz)} gzip-compressed) as over its --max-request-bytes; "
                        f"regctl sends up to {layout.CHUNK_BYTES * 4 // 3 + 1024} bytes per "
                        "request: raise the limit (etcd's default is 1.5 MiB)"
                    ) from None
                raise self._fail("write", exc) from None
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
        self._gw.start()
        got = self._post("write", "/kv/txn", txn)
        if got.get("succeeded") is not True:
            raise TargetChanged(
                f"target {self.uri} changed since plan (its mod_revision is no longer {rev}); "
                "run plan again"
            )
        return WriteResult(digest, expected.digest, self.uri)

    # -- history -----------------------------------------------------------------
    def history(self) -> list[HistoryEntry]:
        """Applies recorded under ``KEY/history/log/``, oldest first."""
        self._gw.start()
        entries = []
        for kv in self._range("read history of", layout.log_prefix(self.key), prefix=True):
            try:
                rec = json.loads(kv.value)
            except (ValueError, RecursionError):
                continue
            if isinstance(rec, dict) and _DIGEST.fullmatch(str(rec.get("digest"))):
                at = rec.get("applied_at")
                entries.append(HistoryEntry(rec["digest"], at if isinstance(at, str) else None))
        return entries

    def history_digests(self) -> set[str]:
        """Digests with chunks kept under ``KEY/history/``."""
        self._gw.start()
        found = self._range(
            "read history of", f"{self.key}/history/sha256-", prefix=True, keys_only=True
        )
        out = set()
        for kv in found:
            parts = kv.key.decode("utf-8", "replace").rsplit("/", 2)
            if len(parts) == 3 and parts[1].startswith("sha256-"):
                out.add("sha256:" + parts[1][len("sha256-") :])
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
        self._gw.start()
        kvs = self._range("read history of", prefix, prefix=True)
        try:
            return layout.unpack_unchecked(kvs, MAX_MANIFEST_BYTES).decode("utf-8")
        except (layout.EtcdLayoutError, UnicodeDecodeError) as exc:
            raise TargetError(f"history entry {digest} of {self.uri} is damaged: {exc}") from None

    def close(self) -> None:
        """Nothing to close: idle connections are kept by the I/O layer's pool."""
