"""Documentation made from the code: ``regctl explain`` and the JSON Schemas.

:mod:`.explain` (what a field is), :mod:`.jsonschemas` (``schemas/*.json`` from the
pydantic models), :mod:`.manifest_model` (the lock's shape, for its schema). The pages
of ``docs/`` that walk the CLI are written by :mod:`regctl.cli.docgen`.

May import: :mod:`regctl.pipeline` and everything below it.
"""
