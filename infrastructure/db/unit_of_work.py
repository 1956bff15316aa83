"""The SQL unit of work: one connection, one transaction, database errors made domain errors."""

from __future__ import annotations

import contextlib
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from domain.errors import Conflict, EmailTaken, ServiceUnavailable
from infrastructure.db.repositories import (
    SqlLoginAttemptRepository,
    SqlPostRepository,
    SqlSessionRepository,
    SqlUserRepository,
)

CONNECT_TIMEOUT = 5  # seconds

# Unique constraints whose violation is a fact the client can act on.
CONFLICTS = {"uq_users_email": EmailTaken, "users.email": EmailTaken}


def make_engine(url: str, **options: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database that does not answer is a 503 within seconds, not a request that hangs.
    connect_args = {"connect_timeout": CONNECT_TIMEOUT} if url.startswith("postgresql") else {}
    # No pool_pre_ping: it costs a round trip on every checkout. A connection that died while
    # pooled fails its first statement instead; SQLAlchemy then discards the whole pool and
    # that one request answers 503 (ServiceUnavailable), the next ones get fresh connections.
    return create_engine(url, connect_args=connect_args, **options)


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE needs it
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


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
    """Connection trouble, timeouts, deadlocks: worth retrying; not a schema never migrated."""
    text = str(error.orig).lower()
    if "no such table" in text or "no such column" in text:
        return False
    return isinstance(error, OperationalError)


def autocommit(engine: Engine) -> Engine:
    """The same pool, with each statement its own transaction: for reads, no BEGIN/ROLLBACK."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class SqlUnitOfWork:
    """One connection and its transaction per use case; reads may take the autocommit one."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None) -> None:
        self._engine = engine
        self._read_engine = read_engine or autocommit(engine)
        self._writable = True

    def read_only(self) -> SqlUnitOfWork:
        reader = SqlUnitOfWork(self._read_engine, self._read_engine)
        reader._writable = False
        return reader

    def __enter__(self) -> Self:
        try:
            self._connection = self._engine.connect()
        except DBAPIError as error:
            raise translate(error) from error
        self.users = SqlUserRepository(self._connection)
        self.posts = SqlPostRepository(self._connection)
        self.sessions = SqlSessionRepository(self._connection)
        self.login_attempts = SqlLoginAttemptRepository(self._connection)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        # Closing rolls back whatever was not committed; if the connection is already gone,
        # the original error says more than this one would.
        with contextlib.suppress(DBAPIError):
            self._connection.close()
        if isinstance(exc, DBAPIError):
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    def commit(self) -> None:
        if not self._writable:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._connection.commit()
