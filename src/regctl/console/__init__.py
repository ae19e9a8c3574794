"""The web console: a read-only view of the served manifest under ``/ui/``.

Server-rendered HTML (Jinja2, autoescaped) with a little JavaScript for filtering, for
the people who would rather look than read JSON: providers and whether their keys
resolve, the models table, a page per model, the applied manifests and the semantic diff
between any two, spend against the budgets, and the pull request that would change an
active model (the server never writes). ``regctl serve`` mounts it through its
``extra_routes`` hook (:func:`routes`), so :mod:`regctl.serve` stays a reader of the
runtime client only while the console uses the plan's renderer, the spend ledger and the
registry edit of ``regctl activate``.

May import: :mod:`regctl.serve` (the watcher it reads), :mod:`regctl.deploy`,
:mod:`regctl.spend`, :mod:`regctl.authoring`, :mod:`regctl.interop`, and everything
below them.
"""

from regctl.console.options import ConsoleOptions

__all__ = ["ConsoleOptions", "routes"]


def routes(watcher: object, options: ConsoleOptions) -> list[object]:
    """The console's Starlette routes over ``watcher`` (a serve ``ManifestWatcher``)."""
    from regctl.console.app import console_routes

    return list(console_routes(watcher, options))
