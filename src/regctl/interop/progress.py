"""The import progress bar now lives in :mod:`regctl.progress` (one facility for all commands)."""

from regctl.progress import Progress

__all__ = ["Progress"]
