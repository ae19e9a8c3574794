"""Fixtures shared by the client tests: the real fleet stores of tests/fleet.py."""

from tests.fleet import etcd_server, modelsdev_registry, s3_server  # noqa: F401
