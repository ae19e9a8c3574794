"""The import progress bar now lives in :mod:`regctl.messages.progress` (one facility for all
commands)."""

from regctl.messages.progress import Progress

__all__ = ["Progress"]
