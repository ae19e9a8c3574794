"""Spend from recorded usage against the registry's budgets: :mod:`.ledger` reads and sums,
:mod:`.report` renders (text, JSON, Markdown, SVG chart).

May import: :mod:`regctl.pipeline` and everything below it.
"""
