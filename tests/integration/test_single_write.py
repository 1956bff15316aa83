"""A single-write unit of work on PostgreSQL: a post's add alone in autocommit, with no BEGIN
or COMMIT; durable as it returns, and the unit's only write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from attrs import evolve
from sqlalchemy import Engine, event, text

from domain.errors import Conflict
from domain.users import User
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
