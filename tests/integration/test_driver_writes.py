"""A post written on psycopg's cursor (PostgreSQL) is one statement in the unit of work's
transaction: committed with it, rolled back with it, its errors the domain's."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from application.ports import PostFilter
from domain.errors import Conflict, ServiceUnavailable
from domain.users import User
from infrastructure.db.unit_of_work import SqlUnitOfWork, make_engine
from tests.factories import make_post, make_user

pytestmark = pytest.mark.postgres


@pytest.fixture
def uow(pg_uow: SqlUnitOfWork) -> SqlUnitOfWork:
    return pg_uow


@pytest.fixture
def author(uow: SqlUnitOfWork) -> User:
    with uow:
        user = uow.users.add(make_user())
        uow.commit()
    return user


def counts(uow: SqlUnitOfWork, author: User) -> tuple[int, ...]:
    with uow.read_only() as reader:
        return tuple(
            reader.posts.count(PostFilter(published=state, author_id=who))
            for state in (True, False)
            for who in (None, author.id)
        )


def stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM posts")).scalar_one())


def test_a_committed_post_is_stored_with_both_counters_and_read_back(
    uow: SqlUnitOfWork, author: User
) -> None:
    with uow:
        published = uow.posts.add(make_post(author))
        draft = uow.posts.add(make_post(author, published=False, published_at=None))
        uow.commit()
    assert published.id is not None and draft.id is not None and draft.id > published.id
    with uow.read_only() as reader:
        assert reader.posts.get(published.id) == published
        assert reader.posts.get(draft.id) == draft
    assert counts(uow, author) == (1, 1, 1, 1)


def test_a_post_not_committed_leaves_neither_the_post_nor_its_counters(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with uow:
        uow.posts.add(make_post(author))
        uow.posts.add(make_post(author, published=False, published_at=None))
    with pytest.raises(RuntimeError), uow:
        uow.posts.add(make_post(author))
        raise RuntimeError("the use case failed after writing")
    assert stored(pg_engine) == 0
    assert counts(uow, author) == (0, 0, 0, 0)


def test_a_write_after_a_read_in_the_transaction_is_committed_with_it(
    uow: SqlUnitOfWork, author: User
) -> None:
    with uow:
        assert uow.users.get(author.id, lock=True) == author  # SQLAlchemy opened the transaction
        post = uow.posts.add(make_post(author))
        uow.commit()
    with uow.read_only() as reader:
        assert reader.posts.get(post.id or 0) == post


def test_a_post_for_an_author_who_is_gone_is_a_conflict_and_changes_nothing(
    uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with uow:
        uow.posts.add(make_post(author))
        uow.commit()
    with pytest.raises(Conflict), uow:
        uow.posts.add(make_post(make_user(id=author.id + 1000)))
        uow.commit()
    with uow:  # the same pooled connection serves again
        uow.posts.add(make_post(author, published=False, published_at=None))
        uow.commit()
    assert stored(pg_engine) == 2
    assert counts(uow, author) == (1, 1, 1, 1)


def test_a_write_on_a_lost_connection_is_unavailable_and_the_next_one_reconnects(
    pg_url: str, author: User, pg_engine: Engine
) -> None:
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    writes = SqlUnitOfWork(engine)
    try:
        with writes as writer:
            writer.posts.add(make_post(author))
            backend = writer._connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            writer.commit()
        with make_engine(pg_url).connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            admin.commit()
        with pytest.raises(ServiceUnavailable), writes as writer:
            writer.posts.add(make_post(author))
            writer.commit()
        with writes as writer:  # the pool dropped the dead connection: a fresh one serves
            writer.posts.add(make_post(author))
            writer.commit()
    finally:
        engine.dispose()
    assert stored(pg_engine) == 2
