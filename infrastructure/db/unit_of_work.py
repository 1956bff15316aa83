"""The SQL unit of work: one session, one transaction, database errors made domain errors."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

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
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


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


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.users = SqlUserRepository(self._session)
        self.posts = SqlPostRepository(self._session)
        self.sessions = SqlSessionRepository(self._session)
        self.login_attempts = SqlLoginAttemptRepository(self._session)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            self._session.rollback()
            self._session.close()
        except DBAPIError:
            pass  # the connection is already gone; the original error says more
        if isinstance(exc, DBAPIError):
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    def commit(self) -> None:
        self._session.commit()
