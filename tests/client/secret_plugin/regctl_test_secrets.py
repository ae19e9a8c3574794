"""Test secret plugin: the ``testvault`` scheme (entry point group ``regctl.secrets``)."""

import os

#: What a careless store client puts in its error message: the key it just read.
EXPIRED_KEY = "sk-proj-" + "Tq7Lm2Xr9Kd4Wb8Nc3Vf6Hs1"
OPAQUE_KEY = "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh"


def resolve(rest):
    from regctl.client.errors import SecretError, SecretNotSet

    if rest == "boom":
        raise RuntimeError("vault exploded while reading tv-LEAKED-VALUE")
    if rest == "expired":
        raise SecretError(f"token {EXPIRED_KEY} expired")
    if rest == "opaque":
        raise SecretNotSet(f"session {OPAQUE_KEY} is no longer valid")
    if rest == "empty":
        return None
    # Values live in TESTVAULT_<NAME> so that tests can set them per process.
    return os.environ.get("TESTVAULT_" + rest.upper())
