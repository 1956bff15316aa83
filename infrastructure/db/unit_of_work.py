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
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        read_session_factory: sessionmaker[Session] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._read_session_factory = read_session_factory or sessionmaker(
            bind=autocommit(session_factory.kw["bind"]), expire_on_commit=False
        )
        self._writable = True

    def read_only(self) -> SqlUnitOfWork:
        reader = SqlUnitOfWork(self._read_session_factory, self._read_session_factory)
        reader._writable = False
        return reader

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
        if not self._writable:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._session.commit()
