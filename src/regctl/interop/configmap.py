"""A Kubernetes ConfigMap holding the lock manifest, for ``kubectl apply``, Argo CD or Flux.

The manifest goes under one key: ``data["manifest.lock.json"]`` as text when it fits,
else gzip-compressed (deterministic, ``mtime=0``) in
``binaryData["manifest.lock.json.gz"]``; the client reads either file from the
mounted volume. The digest (over the uncompressed canonical manifest), the source
commit and the environment are annotations, so ``kubectl get cm -o yaml`` shows
what is deployed without decoding anything. Same manifest, same bytes.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from regctl.base.canonical import dumps_pretty
from regctl.base.errors import RegctlError, UsageError

#: A ConfigMap holds at most 1 MiB (etcd stores it as one object).
CONFIGMAP_LIMIT = 1024 * 1024
#: Room left for metadata: past this, the manifest goes to binaryData compressed.
INLINE_LIMIT = 1000 * 1000
DATA_KEY = "manifest.lock.json"
GZIP_KEY = "manifest.lock.json.gz"
ANNOTATION = "regctl.dev"


def _name_ok(name: str) -> bool:
    """A DNS-1123 subdomain, as Kubernetes requires of object names."""
    import re

    return len(name) <= 253 and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name) is not None


def configmap_yaml(manifest: dict[str, Any], *, name: str | None, namespace: str | None) -> str:
    """The ConfigMap document for ``manifest`` (YAML, deterministic)."""
    env = manifest.get("environment")
    name = name or ("regctl-manifest" + (f"-{env}" if env else ""))
    if not _name_ok(name):
        raise UsageError(f"--name {name!r} is not a valid Kubernetes name (lowercase DNS-1123)")
    if namespace is not None and not _name_ok(namespace):
        raise UsageError(f"--namespace {namespace!r} is not a valid Kubernetes namespace")
    text = dumps_pretty(manifest)
    raw = text.encode("utf-8")
    source = manifest.get("source") or {}
    annotations = {
        f"{ANNOTATION}/digest": str(manifest.get("digest")),
        f"{ANNOTATION}/source-commit": str(source.get("commit") or ""),
        f"{ANNOTATION}/environment": str(env or ""),
        f"{ANNOTATION}/encoding": "identity" if len(raw) <= INLINE_LIMIT else "gzip",
    }
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}"]
    if namespace:
        lines.append(f"  namespace: {namespace}")
    lines += ["  labels:", "    app.kubernetes.io/managed-by: regctl", "  annotations:"]
    lines += [f"    {k}: {json.dumps(v)}" for k, v in annotations.items()]
    if len(raw) <= INLINE_LIMIT:
        body = "".join("    " + line + "\n" for line in text.splitlines())
        return "\n".join(lines) + f"\ndata:\n  {DATA_KEY}: |\n" + body
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    if len(gz) > INLINE_LIMIT:
        raise RegctlError(
            f"manifest is {len(raw)} bytes ({len(gz)} gzip-compressed): over the ConfigMap "
            f"limit of {CONFIGMAP_LIMIT} bytes (1 MiB) even compressed; deploy it to an "
            "s3:// or etcd:// target instead"
        )
    encoded = base64.b64encode(gz).decode("ascii")
    return "\n".join(lines) + f"\nbinaryData:\n  {GZIP_KEY}: {encoded}\n"
