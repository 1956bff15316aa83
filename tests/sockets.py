"""A port held from the moment it is chosen, for a server started by a test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_port() -> Iterator[socket.socket]:
    """A listening socket on a free port of 127.0.0.1, for a gunicorn started with its
    `fd://<fileno>` (and `pass_fds`). A port picked, freed and bound again by the server could
    be taken in between by any other connection on the machine; this one never is."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(128)
        yield held
