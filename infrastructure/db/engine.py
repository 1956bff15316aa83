"""Engines and their connections: the transactions' pool, the read-only pool, and their settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import QueuePool

from domain.text import lowered

CONNECT_TIMEOUT = 5  # seconds: a database that does not answer is a 503, not a hung request
READ_ONLY_SESSION = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
# seconds: a read PostgreSQL gives up on (the request is a 503): far past any page's time,
# short of gunicorn's 30 s worker timeout, after which nobody waits for its answer.
READ_TIMEOUT = 20.0


def make_engine(url: str, **options: Any) -> Engine:
    """The pool of the units that write: each unit is one transaction.

    No pool_pre_ping, which costs a round trip on every checkout: a connection that died
    while pooled fails its first statement instead, SQLAlchemy then discards the whole pool,
    and that one request answers 503 (ServiceUnavailable).

    `hide_parameters`: an error's text, which the log keeps, shows its statement but not the
    values (password hashes, session ids, addresses).
    """
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_settings)
        if options.get("isolation_level") != "AUTOCOMMIT":
            _sqlite_write_transactions(engine)
        return engine
    if not url.startswith("postgresql"):
        return create_engine(url, **options)
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT}, **options)
    event.listen(engine, "connect", _postgres_utc)
    return engine


def make_read_engine(url: str, *, read_timeout: float = READ_TIMEOUT, **options: Any) -> Engine:
    """The pool of the read-only units: in autocommit, so a read sends no BEGIN or ROLLBACK,
    and read-only by the database's own rule, so a write sent there by mistake is refused by
    the database (PostgreSQL: `default_transaction_read_only`; SQLite: `query_only`). On
    PostgreSQL a read stops after `read_timeout` seconds: a search made slow on purpose (see
    docs/API.md on its length) holds the server that long at most.

    Nothing is left to reset when a connection goes back to the pool: no transaction is open.
    """
    parsed = make_url(url)
    if parsed.get_dialect().get_pool_class(parsed) is QueuePool:
        # Each serving thread keeps a connection (KeptConnections): the pool is bounded by
        # the threads, not by a count that would leave one thread waiting for ever.
        options.setdefault("max_overflow", -1)
    engine = make_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **options)
    if url.startswith("sqlite"):
        settings = ["PRAGMA query_only = ON"]
    else:
        settings = [READ_ONLY_SESSION, f"SET statement_timeout = {round(read_timeout * 1000)}"]

    def on_connect(connection: Any, _: Any) -> None:
        for setting in settings:
            _setting(connection, setting)

    event.listen(engine, "connect", on_connect)
    return engine


def _postgres_utc(connection: Any, _: Any) -> None:
    """Each new connection speaks UTC, whatever the server's, role's or PGOPTIONS' TimeZone,
    so psycopg gives timestamps in datetime.UTC and the mappers take them as they are. A SET
    on connecting, not startup `options`, which would replace PGOPTIONS' own."""
    _setting(connection, "SET TIME ZONE 'UTC'")


def _setting(connection: Any, statement: str) -> None:
    """Run a session setting on a new DBAPI connection and leave no transaction open."""
    cursor = connection.cursor()
    cursor.execute(statement)
    cursor.close()
    if not getattr(connection, "autocommit", True):
        connection.commit()


def _sqlite_write_transactions(engine: Engine) -> None:
    """A unit's transaction takes SQLite's write lock as it begins (BEGIN IMMEDIATE), so units
    that read, then write, run one after the other, as row locks make them on PostgreSQL;
    pysqlite would begin only at the first write, after the read. SQLAlchemy's documented
    recipe: the driver leaves transactions alone and the engine's `begin` event starts them."""

    def driver_autocommit(connection: Any, _: Any) -> None:
        connection.isolation_level = None

    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", driver_autocommit)
    event.listen(engine, "begin", begin)


def _sqlite_settings(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    # SQLite's own lower() folds ASCII letters only; a search (the lowered columns, ILIKE)
    # must fold every letter, as PostgreSQL's lower() does. The one index on lower() holds
    # usernames, which are ASCII: what it stores is the same either way. A build that lets
    # the schema call no function of the application's (trusted_schema off) keeps its own.
    if cursor.execute("PRAGMA trusted_schema").fetchone() == (1,):
        connection.create_function("lower", 1, _lower, deterministic=True)
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE needs it
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _lower(value: object) -> object:
    return lowered(value) if isinstance(value, str) else value


@contextmanager
def planned_for_its_values(connection: Connection, when: bool = True) -> Iterator[None]:
    """Statements run here are planned for the values they are sent with, every time.

    psycopg prepares a statement on its sixth run on a connection, and PostgreSQL may then
    plan it once for any value. A search's best plan depends on how many rows its text
    matches (a trigram index for a rare word, the newest-first index for a common one); a
    plan made for no value in particular chose the latter for every text, and walked the
    whole table for a rare one. `when`: only if the statement searches. psycopg's documented
    `prepare_threshold = None` turns preparing off; reached through SQLAlchemy's documented
    `driver_connection`.
    """
    if not when or connection.dialect.name != "postgresql":
        yield
        return
    driver: Any = connection.connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
