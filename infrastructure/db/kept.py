"""Each thread keeps its read-only connection from one read-only unit of work to the next."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError


class _Slot(threading.local):
    connection: Connection | None = None
    pool: Any = None  # the pool it came from: a disposed engine has a new one
    epoch = 0  # the engine's count of lost connections when it was taken
    depth = 0  # units open in this thread on the kept connection


class KeptConnections:
    """Checking a connection out of SQLAlchemy's pool and back in per unit is costly next to a
    read by key (bench/RESULTS.md). A thread serves one unit at a time and an autocommit
    connection carries nothing from one read to the next, so each thread keeps one, as
    Django's persistent connections do: the read-only pool holds as many connections as there
    are serving threads. A read-only unit inside another shares the outer one's connection.

    A kept connection is replaced, between units, when it was invalidated, when its engine
    was disposed, or when any connection of the engine was found lost since it was taken
    (the database likely restarted: one request fails, not one per thread). Everything here
    is SQLAlchemy's public API: `Engine.pool`, `Connection.invalidated` and the engine's
    `handle_error` event.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._slot = _Slot()
        self._lost = 0
        event.listen(engine, "handle_error", self._on_error)

    def _on_error(self, context: ExceptionContext) -> None:
        if context.is_disconnect:
            self._lost += 1

    def acquire(self) -> Connection:
        """This thread's connection for a unit about to start; `release()` it when it ends."""
        slot = self._slot
        if slot.depth == 0 and slot.connection is not None and slot.connection.in_transaction():
            self.close()  # a release cut short left a transaction: never carried to a new unit
        if slot.depth == 0 and (slot.connection is None or self._stale(slot)):
            self.close()
            slot.pool, slot.epoch = self.engine.pool, self._lost  # before connecting
            slot.connection = self.engine.connect()
        slot.depth += 1
        assert slot.connection is not None
        return slot.connection

    def release(self, connection: Connection) -> None:
        """The unit on `connection` ended. An outermost one also ends SQLAlchemy's own
        transaction object around the autocommit statements (nothing is sent)."""
        slot = self._slot
        slot.depth -= 1
        if slot.depth == 0 and connection.in_transaction():
            try:
                connection.rollback()
            except DBAPIError:
                self.close()  # a connection that cannot roll back is not kept

    def _stale(self, slot: _Slot) -> bool:
        connection = slot.connection
        assert connection is not None
        return (
            connection.invalidated or slot.pool is not self.engine.pool or slot.epoch != self._lost
        )

    def close(self) -> None:
        """Give this thread's connection back; only between units."""
        slot = self._slot
        connection, slot.connection = slot.connection, None
        if connection is None:
            return
        with contextlib.suppress(DBAPIError):
            if slot.pool is not self.engine.pool and not connection.invalidated:
                connection.invalidate()  # its pool was disposed: nothing else would close it
            connection.close()
