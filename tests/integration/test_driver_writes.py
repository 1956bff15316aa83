"""A post written on psycopg's cursor (PostgreSQL) is one statement in the unit of work's
transaction: committed with it, rolled back with it, its errors the domain's."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from domain.errors import Conflict, ServiceUnavailable
from domain.users import Role, User
from infrastructure.db.unit_of_work import SqlUnitOfWork, make_engine
from tests.factories import make_post, make_user
from tests.pg import in_thread, post_counts, wait_until_blocked, wrong_post_counters

pytestmark = pytest.mark.postgres


def stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM posts")).scalar_one())


def test_a_committed_post_is_stored_with_both_counters_and_read_back(
    pg_uow: SqlUnitOfWork, author: User
) -> None:
    with pg_uow:
        published = pg_uow.posts.add(make_post(author))
        draft = pg_uow.posts.add(make_post(author, published=False, published_at=None))
        pg_uow.commit()
    assert published.id is not None and draft.id is not None and draft.id > published.id
    with pg_uow.read_only() as reader:
        assert reader.posts.get(published.id) == published
        assert reader.posts.get(draft.id) == draft
    assert post_counts(pg_uow, author) == (1, 1, 1, 1)


def test_a_post_not_committed_leaves_neither_the_post_nor_its_counters(
    pg_uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with pg_uow:
        pg_uow.posts.add(make_post(author))
        pg_uow.posts.add(make_post(author, published=False, published_at=None))
    with pytest.raises(RuntimeError), pg_uow:
        pg_uow.posts.add(make_post(author))
        raise RuntimeError("the use case failed after writing")
    assert stored(pg_engine) == 0
    assert post_counts(pg_uow, author) == (0, 0, 0, 0)


def test_a_write_after_a_read_in_the_transaction_is_committed_with_it(
    pg_uow: SqlUnitOfWork, author: User
) -> None:
    with pg_uow:
        assert pg_uow.users.get(author.id, lock=True) == author  # SQLAlchemy opened the transaction
        post = pg_uow.posts.add(make_post(author))
        pg_uow.commit()
    with pg_uow.read_only() as reader:
        assert reader.posts.get(post.id or 0) == post


def test_a_post_for_an_author_who_is_gone_is_a_conflict_and_changes_nothing(
    pg_uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    with pg_uow:
        pg_uow.posts.add(make_post(author))
        pg_uow.commit()
    with pytest.raises(Conflict), pg_uow:
        pg_uow.posts.add(make_post(make_user(id=author.id + 1000)))
        pg_uow.commit()
    with pg_uow:  # the same pooled connection serves again
        pg_uow.posts.add(make_post(author, published=False, published_at=None))
        pg_uow.commit()
    assert stored(pg_engine) == 2
    assert post_counts(pg_uow, author) == (1, 1, 1, 1)


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


# Lock order. Every writer takes the author's row, then the post total, then the author's
# count. The foreign key alone would take the author's row only at the end of the statement,
# after the counters: a deletion holding that row would then deadlock with the write.


def write_post(engine: Engine, author: User) -> None:
    with SqlUnitOfWork(engine) as writer:
        writer.posts.add(make_post(author))
        writer.commit()


def test_a_post_whose_author_is_locked_waits_holding_no_counter(
    pg_uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    write_post(pg_engine, author)  # the counter rows exist
    with pg_engine.connect() as holder:  # as a password change holds it, hashing
        holder.execute(text("SELECT 1 FROM users WHERE id = :id FOR UPDATE"), {"id": author.id})
        writer, errors = in_thread(lambda: write_post(pg_engine, author))
        wait_until_blocked(pg_engine)
        with pg_engine.connect() as other_writer:
            other_writer.execute(text("SET lock_timeout = '1s'"))
            other_writer.execute(text("SELECT 1 FROM post_totals FOR UPDATE"))  # not held
            other_writer.rollback()
        holder.rollback()
    writer.join()
    assert errors == []
    assert post_counts(pg_uow, author) == (2, 2, 0, 0)


def test_an_admin_posting_while_another_admin_deletes_a_user_both_succeed(
    pg_uow: SqlUnitOfWork, pg_engine: Engine
) -> None:
    with pg_uow:
        admin = pg_uow.users.add(make_user(role=Role.ADMIN))
        leaving = pg_uow.users.add(make_user())
        pg_uow.posts.add(make_post(leaving))
        pg_uow.posts.add(make_post(admin))
        pg_uow.commit()
    with SqlUnitOfWork(pg_engine) as deleter:  # DeleteUser, step by step
        deleter.users.lock_active_admin_ids()
        writer, errors = in_thread(lambda: write_post(pg_engine, admin))
        wait_until_blocked(pg_engine)
        deleter.users.remove(leaving.id or 0)
        deleter.commit()
    writer.join()
    assert errors == []
    assert post_counts(pg_uow, admin) == (2, 2, 0, 0)
    assert wrong_post_counters(pg_engine) == 0


def test_a_user_deleted_while_their_post_is_written_leaves_the_totals_exact(
    pg_uow: SqlUnitOfWork, author: User, pg_engine: Engine
) -> None:
    write_post(pg_engine, author)
    with SqlUnitOfWork(pg_engine) as writer:
        writer.posts.add(make_post(author))  # written, not yet committed
        deleter, errors = in_thread(lambda: remove_user(pg_engine, author))
        wait_until_blocked(pg_engine)  # the deletion waits for the post to be committed...
        writer.commit()
    deleter.join()
    assert errors == []
    assert stored(pg_engine) == 0  # ...and counts it before the cascade removes it
    assert wrong_post_counters(pg_engine) == 0


def remove_user(engine: Engine, user: User) -> None:
    with SqlUnitOfWork(engine) as deleter:
        deleter.users.remove(user.id or 0)
        deleter.commit()


def test_a_write_is_refused_outside_a_transaction(pg_uow: SqlUnitOfWork, author: User) -> None:
    with pytest.raises(RuntimeError, match="transaction"), pg_uow.read_only() as reader:
        reader.posts.add(make_post(author))
    assert post_counts(pg_uow, author) == (0, 0, 0, 0)
