"""``regctl serve``: a read-only HTTP API over a watched lock manifest.

Any app, in any language, asks ``GET /v1/providers/openai/active?capability=chat``
instead of reading the manifest itself. The manifest comes from any location
:class:`regctl.client.Registry` reads, is re-checked every few seconds, and a bad
one never replaces the last good one. Key values are never served: the manifest
holds only secret *references*, and the server never resolves them.

Needs the ``serve`` extra (Starlette + uvicorn): ``pip install 'regctl[serve]'``.

May import: :mod:`regctl.client`, :mod:`regctl.base`, :mod:`regctl.io`.
"""

from regctl.serve.watcher import ManifestWatcher, Snapshot

__all__ = ["ManifestWatcher", "Snapshot"]
