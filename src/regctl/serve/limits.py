"""Request limits of ``regctl serve`` (no uvicorn import: the CLI reads the defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Request limits; the defaults are safe on a port no proxy stands in front of.

    ``max_head``: bytes of request line and headers (431 past it; also the body cap,
    413); ``head_timeout``: seconds a head may take from its first byte, or from the
    connection opening (408); ``keep_alive_timeout``: seconds an idle connection is
    kept; ``max_connections``: open connections per process (see serve.protocol).
    """

    max_head: int = 64 * 1024
    head_timeout: float = 10.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 1000
