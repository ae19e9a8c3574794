"""A Kubernetes ConfigMap holding the lock manifest, for ``kubectl apply``, Argo CD or Flux.

The manifest goes under one key: ``data["manifest.lock.json"]`` as text when it fits,
else gzip-compressed (deterministic, ``mtime=0``) in
``binaryData["manifest.lock.json.gz"]``; the client reads either file from the
mounted volume. The digest (over the uncompressed canonical manifest), the source
commit and the environment are annotations, so ``kubectl get cm -o yaml`` shows
what is deployed without decoding anything. Same manifest, same bytes.

The data is byte-exact: the manifest text goes into a YAML literal block (``|``) only
when every YAML parser reads that block back to the same bytes; a manifest holding a
character YAML treats as a line break (U+0085, U+2028, U+2029, a carriage return) or
may not carry raw (C1 controls, DEL, BOM) goes into a double-quoted scalar with those
characters escaped. Kubernetes names are checked as the API server checks them: the
ConfigMap name as a DNS-1123 subdomain, the namespace as a DNS-1123 label.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any

from regctl.base.canonical import dumps_pretty
from regctl.base.errors import RegctlError, UsageError
from regctl.base.i18n import msg

#: A ConfigMap holds at most 1 MiB (etcd stores it as one object).
CONFIGMAP_LIMIT = 1024 * 1024
#: Room left for metadata: past this, the manifest goes to binaryData compressed.
INLINE_LIMIT = 1000 * 1000
DATA_KEY = "manifest.lock.json"
GZIP_KEY = "manifest.lock.json.gz"
ANNOTATION = "regctl.dev"


_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a ConfigMap (a DNS-1123 subdomain), or ``None``."""
    if len(name) <= 253 and _SUBDOMAIN.fullmatch(name):
        return None
    return msg(
        "{name!r} is not a valid Kubernetes name: lowercase letters, digits, '-' and '.', "
        "starting and ending with a letter or digit, at most 253 characters",
        name=name,
    )


def namespace_problem(namespace: str) -> str | None:
    """Why ``namespace`` cannot name a namespace (a DNS-1123 label), or ``None``."""
    if len(namespace) <= 63 and _LABEL.fullmatch(namespace):
        return None
    return msg(
        "{namespace!r} is not a valid Kubernetes namespace: a DNS-1123 label of lowercase "
        "letters, digits and '-', starting and ending with a letter or digit, at most 63 "
        "characters (no dots)",
        namespace=namespace,
    )


def default_name(env: str | None) -> str:
    """``regctl-manifest-ENV``, with what an environment id may hold and a name may not
    (``_``) turned into ``-``."""
    return "regctl-manifest" + (f"-{re.sub(r'[^a-z0-9.-]', '-', env.lower())}" if env else "")


def configmap_yaml(manifest: dict[str, Any], *, name: str | None, namespace: str | None) -> str:
    """The ConfigMap document for ``manifest`` (YAML, deterministic)."""
    env = manifest.get("environment")
    name = name or default_name(env if isinstance(env, str) else None)
    why = name_problem(name)
    if why:
        raise UsageError(f"--name {why}")
    why = namespace_problem(namespace) if namespace is not None else None
    if why:
        raise UsageError(f"--namespace {why}")
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
        return "\n".join(lines) + f"\ndata:\n  {DATA_KEY}: {yaml_text(text, 4)}"
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    if len(gz) > INLINE_LIMIT:
        raise RegctlError(
            f"manifest is {len(raw)} bytes ({len(gz)} gzip-compressed): over the ConfigMap "
            f"limit of {CONFIGMAP_LIMIT} bytes (1 MiB) even compressed; deploy it to an "
            "s3:// or etcd:// target instead"
        )
    encoded = base64.b64encode(gz).decode("ascii")
    return "\n".join(lines) + f"\nbinaryData:\n  {GZIP_KEY}: {encoded}\n"


# Characters a YAML literal block cannot carry unchanged: other line breaks (YAML 1.1
# parsers such as libyaml and go-yaml break lines at U+0085, U+2028 and U+2029; \r
# would be read as one too), and what YAML does not allow raw (C0 but tab and newline,
# DEL, C1, BOM, surrogates, U+FFFE/U+FFFF).
_NOT_IN_BLOCK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"
)
# What must be escaped inside a double-quoted scalar: the same, plus \t, \n, " and \\
# (a raw line break there would be folded into a space).
_QUOTED_ESCAPE = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"\\\\]')
_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    return _SHORT.get(ch) or f"\\u{ord(ch):04x}"


def yaml_text(text: str, indent: int) -> str:
    """``text`` as a YAML scalar (after ``key: ``, ending with a newline) that every
    parser reads back to exactly ``text``.

    A literal block (``|``, one line of ``text`` per line, indented) when that is
    exact; else one double-quoted line with escapes (JSON-style ``\\uXXXX``, which
    YAML shares).
    """
    if (
        text.endswith("\n")
        and not text.endswith("\n\n")
        and not text.startswith((" ", "\t", "\n"))  # would throw off the indentation
        and not _NOT_IN_BLOCK.search(text)
    ):
        pad = " " * indent
        body = "".join(pad + line + "\n" if line else "\n" for line in text[:-1].split("\n"))
        return "|\n" + body
    return '"' + _QUOTED_ESCAPE.sub(_escape, text) + '"\n'
