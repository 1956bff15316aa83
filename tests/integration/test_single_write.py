"""A single-write unit of work on PostgreSQL: a post's add alone in autocommit, with no BEGIN
or COMMIT; durable as it returns, and the unit's only write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from attrs import evolve
from sqlalchemy import Connection, Engine, event, text

from domain.errors import Conflict
from domain.users import User
from infrastructure.db.driver import all_rows
from infrastructure.db.mapping import post_values
from infrastructure.db.repositories import COUNTED_POST_INSERT
from infrastructure.db.unit_of_work import ReadConnections, SqlUnitOfWork, make_read_engine
from tests.factories import make_post, make_session, make_user
from tests.pg import wrong_post_counters

pytestmark = pytest.mark.postgres


@pytest.fixture
def uow(pg_engine: Engine, pg_url: str, author: User) -> Iterator[SqlUnitOfWork]:
    """As the container builds it: transactions on one engine, the kept connections on
    another; the database emptied but for the author."""
    reads = ReadConnections(make_read_engine(pg_url))
    yield SqlUnitOfWork(pg_engine, reads)
    reads.close()
    reads.engine.dispose()


def stored_posts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM posts")).scalar_one())


def test_the_post_is_stored_as_add_returns_with_no_transaction_of_the_pool(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    checkouts: list[object] = []

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    event.listen(pg_engine, "checkout", checked_out)
    try:
        with uow.single_write() as writer:
            post = writer.posts.add(make_post(author))
            assert not writer._connection.in_transaction()
            assert stored_posts(pg_engine) == 1  # seen from elsewhere before commit()
            writer.commit()
    finally:
        event.remove(pg_engine, "checkout", checked_out)
    assert len(checkouts) == 1  # stored_posts' own; the write took none
    with uow.read_only() as reader:
        assert reader.posts.get(post.id or 0) == post
    assert wrong_post_counters(pg_engine) == 0


def test_a_second_write_is_refused_before_it_is_sent(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with pytest.raises(RuntimeError, match="transaction"), uow.single_write() as writer:
        writer.posts.add(make_post(author))
        writer.posts.add(make_post(author))
    assert stored_posts(pg_engine) == 1
    assert wrong_post_counters(pg_engine) == 0


@pytest.mark.parametrize("unit", ["single_write", "read_only"])
def test_autocommit_units_refuse_any_write_through_sqlalchemy(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine, unit: str
) -> None:
    """In autocommit each statement would be committed alone: half of a use case's change."""
    renamed = evolve(author, name="Someone Else")
    with pytest.raises(RuntimeError, match="transaction"), getattr(uow, unit)() as writer:
        writer.users.save(renamed)
    with pytest.raises(RuntimeError, match="transaction"), getattr(uow, unit)() as writer:
        writer.sessions.add(make_session(author.id))
    with uow.read_only() as reader:
        assert reader.users.get(author.id or 0) == author
        assert reader.sessions.get_with_user("s1") is None


def test_a_post_for_an_author_who_is_gone_is_a_conflict_and_writes_nothing(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with pytest.raises(Conflict), uow.single_write() as writer:
        writer.posts.add(make_post(make_user(id=author.id + 1000)))
    assert stored_posts(pg_engine) == 0
    with uow.single_write() as writer:  # the kept connection serves the next unit as before
        writer.posts.add(make_post(author))
        writer.commit()
    assert stored_posts(pg_engine) == 1
    assert wrong_post_counters(pg_engine) == 0


def sessions_deleted_as_text(connection: Connection) -> object:
    return connection.execute(text("DELETE FROM sessions"))


def users_renamed_by_the_driver(connection: Connection) -> object:
    return connection.exec_driver_sql("UPDATE users SET name = 'Renamed'")


def post_written_by_a_select(connection: Connection, author: User) -> object:
    """A SELECT whose data-modifying CTEs write: SQLAlchemy sees no INSERT in it."""
    return connection.execute(COUNTED_POST_INSERT, post_values(make_post(author)))


def post_written_as_a_read(connection: Connection, author: User) -> object:
    return all_rows(connection, COUNTED_POST_INSERT, post_values(make_post(author)))


def row_locked(connection: Connection, author: User) -> object:
    return connection.execute(
        text("SELECT 1 FROM users WHERE id = :id FOR UPDATE"), {"id": author.id}
    )


@pytest.mark.parametrize(
    "statement",
    [
        lambda c, _: sessions_deleted_as_text(c),
        lambda c, _: users_renamed_by_the_driver(c),
        post_written_by_a_select,
        post_written_as_a_read,
        row_locked,
    ],
    ids=[
        "text DELETE",
        "driver SQL UPDATE",
        "SELECT with INSERT CTEs",
        "driver read",
        "FOR UPDATE",
    ],
)
def test_autocommit_units_refuse_writes_and_locks_however_they_are_sent(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine, statement: Any
) -> None:
    with pytest.raises(RuntimeError, match="transaction"), uow.read_only() as reader:
        statement(reader._connection, author)
    assert stored_posts(pg_engine) == 0
    with uow.read_only() as reader:
        assert reader.users.get(author.id or 0) == author


def test_a_single_write_on_a_connection_not_in_autocommit_is_committed_by_commit(
    pg_engine: Engine, author: User
) -> None:
    """Wired by hand to a transactional engine, the write waits for commit() and is kept."""
    reads = ReadConnections(pg_engine)
    try:
        with SqlUnitOfWork(pg_engine, reads).single_write() as writer:
            post = writer.posts.add(make_post(author))
            writer.commit()
    finally:
        reads.close()
    assert stored_posts(pg_engine) == 1
    with SqlUnitOfWork(pg_engine).read_only() as reader:
        assert reader.posts.get(post.id or 0) == post


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_advisory_lock(1)",
        "SELECT set_config('TimeZone', 'Asia/Kolkata', false)",
        "SET TIME ZONE 'Asia/Kolkata'",
        "TRUNCATE sessions",
        "CREATE TABLE leftover AS SELECT 1 AS one",
    ],
)
def test_autocommit_units_refuse_what_would_outlive_them_on_the_kept_connection(
    uow: SqlUnitOfWork, sql: str
) -> None:
    """A session lock or setting would stay with the thread's connection after the unit."""
    with pytest.raises(RuntimeError, match="transaction"), uow.read_only() as reader:
        reader._connection.exec_driver_sql(sql)
    with uow.read_only() as reader:
        connection = reader._connection
        zone = connection.exec_driver_sql("SHOW TIME ZONE").scalar_one()
        # This connection's own (other tests run beside it); the word itself is refused.
        held = "SELECT count(*) FROM pg_locks WHERE locktype = %(kind)s AND pid = pg_backend_pid()"
        locks = connection.exec_driver_sql(held, {"kind": "advisory"}).scalar_one()
        assert (zone, locks) == ("UTC", 0)
