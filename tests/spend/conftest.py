"""Fixtures for the spend tests: the flaky upstream of tests/failover_fleet.py."""

from tests.failover_fleet import upstream  # noqa: F401
