"""Plan and apply: the semantic diff against what is deployed, its rendering, and the targets.

:mod:`.plan` (the diff), :mod:`.render` (text, JSON, Markdown), :mod:`.apply` (plan,
apply, rollback as library calls), :mod:`.targets` (file, HTTP, S3, etcd).

May import: :mod:`regctl.pipeline` and everything below it.
"""
