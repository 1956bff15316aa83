"""The SQL unit of work: one connection, one transaction, database errors made domain errors."""

from __future__ import annotations

from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from domain.errors import Conflict, EmailTaken, ServiceUnavailable
from infrastructure.db.kept import KeptConnections
from infrastructure.db.posts import SqlPostRepository
from infrastructure.db.sessions import SqlLoginAttemptRepository, SqlSessionRepository
from infrastructure.db.users import SqlUserRepository

# Unique constraints whose violation is a fact the client can act on.
CONFLICTS = {"uq_users_email": EmailTaken, "users.email": EmailTaken}


def translate(error: Exception) -> Exception:
    """The domain's view of a database failure; anything unknown is left as it is."""
    if isinstance(error, IntegrityError):
        text = str(error.orig)
        for name, conflict in CONFLICTS.items():
            if name in text:
                return conflict()
        return Conflict()
    if isinstance(error, DBAPIError) and (error.connection_invalidated or _unreachable(error)):
        return ServiceUnavailable()
    return error


def _unreachable(error: DBAPIError) -> bool:
    """Connection trouble, timeouts, deadlocks: worth retrying; not a schema never migrated,
    nor a write sent to a read-only unit (a bug, not an outage)."""
    text = str(error.orig).lower()
    if any(bug in text for bug in ("no such table", "no such column", "readonly database")):
        return False
    return isinstance(error, OperationalError)


class SqlUnitOfWork:
    """One connection and its transaction per use case; nothing is kept without `commit()`.

    Each unit runs on the thread's kept connection of its pool (KeptConnections). A read-only
    unit's pool is read-only and in autocommit (make_read_engine): no transaction to begin or
    roll back, and the database refuses any write sent there.
    """

    def __init__(
        self, writes: KeptConnections, reads: KeptConnections, *, reading: bool = False
    ) -> None:
        self._writes = writes
        self._reads = reads
        self._reading = reading

    def read_only(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._writes, self._reads, reading=True)

    def __enter__(self) -> Self:
        self._kept = self._reads if self._reading else self._writes
        try:
            self._connection = self._kept.acquire()
        except DBAPIError as error:
            raise translate(error) from error
        point_reads = self._reading  # see infrastructure.db.point_reads
        self.users = SqlUserRepository(self._connection, point_reads=point_reads)
        self.posts = SqlPostRepository(self._connection, point_reads=point_reads)
        self.sessions = SqlSessionRepository(self._connection, point_reads=point_reads)
        self.login_attempts = SqlLoginAttemptRepository(self._connection)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        # Releasing rolls back whatever was not committed. If the connection is already gone,
        # the original error says more than this one would.
        self._kept.release(self._connection)
        if isinstance(exc, DBAPIError):
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._connection.commit()
