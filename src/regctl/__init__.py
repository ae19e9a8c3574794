"""regctl: AI providers and models as code.

The pipeline runs one way: :mod:`regctl.source` (YAML with positions) ->
:mod:`regctl.schema` (typed documents) -> :mod:`regctl.registry` (merge, overlay) ->
:mod:`regctl.rules` (problems) -> :mod:`regctl.compile` (the lock manifest) ->
plan/apply. :mod:`regctl.client` is the standard-library-only runtime side.
"""

__version__ = "0.1.0"
API_VERSION = "regctl/v1"
