"""Authoring: commands that write the registry (init, activate, fmt) and read it for people
(ls, show, cost-compare, templates).

May import: :mod:`regctl.pipeline`, :mod:`regctl.docs` and everything below them.
"""
