"""The bounded I/O layer: the one way bytes come in from disk or the network.

Owns the one URL parser (:mod:`.urls`: what a policy decides on is where the connection
goes), bounded reads of regular files (:mod:`.safeio`), one bounded HTTP exchange with a
total deadline and a body cap (:mod:`.safehttp`, on :mod:`.deadline`), a streamed answer
read line by line (:mod:`.stream`), strict JSON and shape checks for peers' answers
(:mod:`.jsondoc`), bounded gunzip (:mod:`.gz`), TLS contexts (:mod:`.tls`), serve's
listening socket (:mod:`.listen`) and atomic writes and log appends (:mod:`.fsutil`).
Every reader and writer of regctl goes through here (docs/security.md lists the
exceptions); an import-linter contract keeps network modules out of everything else.

May import: the standard library and :mod:`regctl.base`.
"""
