"""Command-line interface: a thin shell over the library.

:data:`main` is the root group (:mod:`regctl.cli.app`); each module here defines its
commands on it and is imported only when one of its commands runs
(:data:`regctl.cli.app.COMMANDS` maps names to modules).
"""

from regctl.cli.app import main

__all__ = ["main"]
