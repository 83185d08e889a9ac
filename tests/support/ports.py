"""Loopback port helpers shared by the Neo4j and browser test helpers.

Everything the test suite starts listens on 127.0.0.1 only, on a port the kernel picked, so
parallel runs (and a developer's own server on the default ports) never collide.
"""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    The kernel picks it (bind to port 0), which is the cheapest way to avoid collisions. There is
    an unavoidable race between closing this socket and the server binding the port; callers that
    care retry with a new port when the server reports "Address already in use".
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_open(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """Return True if something accepts TCP connections on host:port.

    Used to prove that a stopped server really released its port; only loopback hosts make sense.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
