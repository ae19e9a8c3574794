"""Test secret plugin: the ``testvault`` scheme (entry point group ``regctl.secrets``)."""

import os


def resolve(rest):
    if rest == "boom":
        raise RuntimeError("vault exploded while reading tv-LEAKED-VALUE")
    if rest == "empty":
        return None
    # Values live in TESTVAULT_<NAME> so that tests can set them per process.
    return os.environ.get("TESTVAULT_" + rest.upper())
