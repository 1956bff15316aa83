"""The SQL unit of work: one connection, one transaction, database errors made domain errors."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import Pool, QueuePool

from domain.errors import Conflict, EmailTaken, ServiceUnavailable
from infrastructure.db.driver import writes
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
    # No pool_pre_ping: it costs a round trip on every checkout. A connection that died while
    # pooled fails its first statement instead; SQLAlchemy then discards the whole pool and
    # that one request answers 503 (ServiceUnavailable), the next ones get fresh connections.
    if not url.startswith("postgresql"):
        return create_engine(url, **options)
    # A database that does not answer is a 503 within seconds, not a request that hangs.
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT}, **options)
    event.listen(engine, "connect", _postgres_utc)
    return engine


def _postgres_utc(connection: Any, _: Any) -> None:
    """Each new connection speaks UTC, whatever the server's, role's or PGOPTIONS' TimeZone.

    psycopg then gives timestamps with datetime.UTC, which the mappers and the renderer take
    as they are (no conversion per value; any other zone is still converted). A SET on
    connecting rather than startup `options`, which would replace PGOPTIONS and a service
    file's options: one round trip per new connection, none per checkout.
    """
    connection.execute("SET TIME ZONE 'UTC'")
    if not connection.autocommit:
        connection.commit()


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


def make_read_engine(url: str, **options: Any) -> Engine:
    """The pool of read-only units of work: in autocommit, one kept connection per thread.

    Autocommit from the start: switching a shared pool's connections in and out of it cost
    ~40 us a read (measured), and with no transaction there is nothing to roll back on return.
    Each thread keeps its connection (ReadConnections), so the pool is bounded by the threads
    serving, not by a count that would leave one more thread waiting for a connection that
    no thread gives back.
    """
    parsed = make_url(url)
    if parsed.get_dialect().get_pool_class(parsed) is QueuePool:  # not SQLite in memory
        options.setdefault("max_overflow", -1)
    engine = make_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **options)
    return refusing_writes(engine)


def autocommit(engine: Engine) -> Engine:
    """The same pool, with each statement its own transaction: for reads, no BEGIN/ROLLBACK."""
    return refusing_writes(engine.execution_options(isolation_level="AUTOCOMMIT"))


def refusing_writes(engine: Engine) -> Engine:
    """An engine for the autocommit units (read-only, single write) that refuses to send a
    statement that writes or locks, whether built or written as text: in autocommit each
    would be committed on its own, half of a use case's change, and a lock would end with
    the statement. The driver module's reads check the same; the one write those units make
    (a post's `add`, one atomic statement) is the driver's `written_row`, which checks it."""
    event.listen(engine, "before_cursor_execute", _refuse_write)
    return engine


def _refuse_write(*args: Any) -> None:
    if writes(args[2]):  # the SQL text sent
        raise RuntimeError("a write needs a unit of work's transaction, not autocommit")


class ReadConnections(threading.local):
    """Each thread's autocommit connection for read-only units of work, kept between them.

    Checking a connection out of SQLAlchemy's pool and back in for every read-only unit of
    work was 13 % of an authenticated GET /posts/<id> (two units; callgrind: 1.36 -> 1.18 M
    instructions a request). A thread serves one unit at a time and, in autocommit, nothing
    is left over from one read to the next, so each thread keeps one, as Django's persistent
    connections do: as many read connections as threads (a server starting a thread per
    request, like the development server, holds one per request in flight). When a thread
    ends, its slot goes and SQLAlchemy gives the dropped connection back to the pool (it does
    so for sync drivers). Between units, a kept connection is replaced when it broke, when its
    engine was disposed, or when its pool was found stale (a lost connection discards the
    whole pool: after a database restart one request fails, not one per thread); a unit nested
    in another shares the outer one's connection as it is.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kept: Connection | None = None
        self._pool: Pool | None = None
        self._since = 0.0
        self._depth = 0  # read-only units open in this thread: nested ones share the outer's

    def connection(self) -> Connection:
        """The thread's connection for a unit about to start; `release()` when it ends."""
        kept = self._kept
        if kept is None or (self._depth == 0 and self._stale(kept)):
            self.close()
            # The pool and the time before connecting: a discard meanwhile counts too.
            pool, since = self.engine.pool, time.time()
            kept = self.engine.connect()
            self._kept, self._pool, self._since = kept, pool, since
        self._depth += 1
        return kept

    def release(self) -> None:
        self._depth -= 1

    def _stale(self, kept: Connection) -> bool:
        pool = self.engine.pool
        # _invalidate_time: the mark SQLAlchemy's own checkout compares (set on a disconnect).
        return kept.invalidated or pool is not self._pool or pool._invalidate_time > self._since

    def close(self) -> None:
        """Give this thread's connection back (closed for good if its pool was disposed).

        Only between units: a unit still open in this thread would lose its connection.
        """
        kept, self._kept = self._kept, None
        if kept is None:
            return
        with contextlib.suppress(DBAPIError):
            if self.engine.pool is not self._pool and not kept.invalidated:
                kept.invalidate()  # its pool was disposed: nothing else would ever close it
            kept.close()


class SqlUnitOfWork:
    """One connection and its transaction per use case; reads take the thread's kept one."""

    def __init__(self, engine: Engine, reads: ReadConnections | None = None) -> None:
        self._engine = engine
        self._reads = reads or ReadConnections(autocommit(engine))
        self._reader = False  # on the thread's kept autocommit connection
        self._single_write = False  # ...with one standalone post `add` allowed (PostgreSQL)

    def read_only(self) -> SqlUnitOfWork:
        reader = SqlUnitOfWork(self._engine, self._reads)
        reader._reader = True
        return reader

    def single_write(self) -> SqlUnitOfWork:
        """PostgreSQL: the kept autocommit connection, where a post's `add` is one atomic
        statement (the post and both its counters), committed as it returns. No BEGIN and
        COMMIT, so two round trips fewer, and no checkout from the transactions' pool (bench
        S4 0.24 -> 0.28 of the ceiling). Any other write is refused there: in autocommit it
        would be committed alone. SQLite writes a post in three statements: an ordinary unit.
        """
        if self._engine.dialect.name != "postgresql":
            return SqlUnitOfWork(self._engine, self._reads)
        writer = self.read_only()
        writer._single_write = True
        return writer

    def __enter__(self) -> Self:
        try:
            self._connection = self._reads.connection() if self._reader else self._engine.connect()
        except DBAPIError as error:
            raise translate(error) from error
        self.users = SqlUserRepository(self._connection)
        self.posts = SqlPostRepository(self._connection, standalone_add=self._single_write)
        self.sessions = SqlSessionRepository(self._connection)
        self.login_attempts = SqlLoginAttemptRepository(self._connection)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        # Closing rolls back whatever was not committed. A kept reader only ends SQLAlchemy's
        # own transaction object around autocommit statements (nothing is sent: the database
        # has no transaction), so the next unit starts as on a fresh checkout. If the
        # connection is already gone, the original error says more than this one would.
        try:  # not contextlib.suppress: this runs twice a request, and try costs nothing
            if not self._reader:
                self._connection.close()
            elif self._connection.in_transaction():
                self._connection.rollback()
        except DBAPIError:
            pass
        if self._reader:
            self._reads.release()
        if isinstance(exc, DBAPIError):
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    def commit(self) -> None:
        if self._single_write:
            # The write, if it was made, was committed as it returned; unless the kept
            # connection is not in autocommit (wired by hand), where it waits for this.
            if self._connection.in_transaction():
                self._connection.commit()
            return
        if self._reader:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._connection.commit()
