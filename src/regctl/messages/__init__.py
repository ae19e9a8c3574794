"""What regctl tells people: the problem list, its reporters, progress, localized library errors.

Owns :class:`~.problems.Problem` (what every validation stage yields), the reporters
keyed by name (:mod:`.reporters`: text, json, github), progress on a terminal
(:mod:`.progress`), and the translations of messages written by libraries in English
only: libyaml's (:mod:`.yaml_messages`) and pydantic's (:mod:`.schema_errors`).

May import: :mod:`regctl.base`, :mod:`regctl.io`.
"""
