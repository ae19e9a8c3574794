"""The listening socket of ``regctl serve``: the one place a server socket is made.

Binding is all it does; what arrives on the connections is bounded by serve's protocol
(request-head cap, head and keep-alive timeouts, connection cap), which the hostile-client
family of ``tests/hostile`` drives.
"""

from __future__ import annotations

import socket


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening, inheritable by forked workers.

    IPv6 when ``host`` holds a colon. Raises :class:`OSError` (the socket closed) when
    the address is taken or not allowed.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
