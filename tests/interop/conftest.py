"""Fixtures for the interop tests: the models.dev import of tests/fleet.py."""

from tests.failover_fleet import upstream  # noqa: F401
from tests.fleet import modelsdev_registry  # noqa: F401
