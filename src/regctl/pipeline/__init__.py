"""The control plane's pipeline, in stage order: files -> YAML -> typed documents -> registry
-> rules -> problems -> lock manifest.

:mod:`.source_guard` and :mod:`.source` (which files, read into values with positions:
:mod:`.positions`), :mod:`.schema` and :mod:`.parse` (typed documents), :mod:`.registry`
(assembly and environment overlays), :mod:`.rules` (one module per rule),
:mod:`.validate` (all of it, every problem at once), :mod:`.compile` (the lock).
:mod:`.layout` is how registry YAML is written (``fmt`` and the importers);
:mod:`.template_check` checks prompt templates for the ``template`` rule.

May import: :mod:`regctl.messages`, :mod:`regctl.client` (its template sandbox),
:mod:`regctl.base`, :mod:`regctl.io`.
"""
