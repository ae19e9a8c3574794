"""TLS settings for the network adapters, from files the operator names.

The files come from the environment (``ETCDCTL_CACERT``, ``AWS_CA_BUNDLE``...), never
from the registry; OpenSSL reads them (a listed exception to the bounded reads of
:mod:`regctl.io.safeio`: they are PEM files the operator chose). Contexts are cached
by their files, so a watcher polling every second does not reload a CA store per poll.
Standard library only.
"""

from __future__ import annotations

import functools
import ssl

__all__ = ["TlsError", "context"]


class TlsError(ValueError):
    """A CA, certificate or key file could not be loaded; ``str()`` is one line."""


@functools.lru_cache(maxsize=16)
def context(
    cafile: str | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    capath: str | None = None,
) -> ssl.SSLContext:
    """A verifying client context: ``cafile``/``capath`` (a folder of hashed CA files;
    else the system store), a client certificate."""
    try:
        ctx = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
        if certfile:
            ctx.load_cert_chain(certfile, keyfile or None)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise TlsError(
            f"cannot load TLS files ({type(exc).__name__}: {getattr(exc, 'strerror', None) or exc})"
        ) from None
    return ctx
