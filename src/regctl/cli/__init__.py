"""Command-line interface. Each module below registers its commands on :data:`main`."""

from regctl.cli.app import main

# Importing a command module registers its commands on ``main``.
from regctl.cli import spine  # noqa: F401  isort: skip
from regctl.cli import interop  # noqa: F401  isort: skip
from regctl.cli import export_configmap  # noqa: F401  isort: skip
from regctl.cli import authoring  # noqa: F401  isort: skip
from regctl.cli import inventory  # noqa: F401  isort: skip
from regctl.cli import deploy  # noqa: F401  isort: skip
from regctl.cli import client_cmds  # noqa: F401  isort: skip
from regctl.cli import reference  # noqa: F401  isort: skip
from regctl.cli import spend_cmd  # noqa: F401  isort: skip
from regctl.cli import serve_cmd  # noqa: F401  isort: skip
from regctl.cli import gitops  # noqa: F401  isort: skip

__all__ = ["main"]
