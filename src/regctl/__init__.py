"""regctl: AI providers and models as code.

The pipeline runs one way: :mod:`regctl.pipeline.source` (YAML with positions) ->
:mod:`regctl.pipeline.schema` (typed documents) ->
:mod:`regctl.pipeline.registry` (merge, overlay) ->
:mod:`regctl.pipeline.rules` (problems) -> :mod:`regctl.pipeline.compile` (the lock manifest) ->
plan/apply. :mod:`regctl.client` is the standard-library-only runtime side.
"""

__version__ = "0.2.0"
API_VERSION = "regctl/v1"
