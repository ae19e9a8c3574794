"""The bounded I/O layer: the one way bytes come in from disk or the network.

Owns bounded reads of regular files (:mod:`.safeio`), one bounded HTTP exchange with a
total deadline and a body cap (:mod:`.safehttp`) and atomic writes (:mod:`.fsutil`).
Every reader and writer of regctl goes through here (docs/security.md lists the
exceptions); an import-linter contract keeps network modules out of everything else.

May import: the standard library and :mod:`regctl.base`.
"""
