"""Post counters in slots (PostgreSQL): concurrent writers do not queue on one counter row, and
every count still sums to the posts stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from attrs import evolve
from sqlalchemy import Connection, Engine, text

from domain.posts import Post
from domain.users import User
from infrastructure.db.counters import COUNTER_SLOTS
from infrastructure.db.posts import SqlPostRepository
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.db.users import SqlUserRepository
from tests.factories import T0, make_post, make_user
from tests.pg import in_thread, post_counts, wait_until_blocked, wrong_post_counters

pytestmark = pytest.mark.postgres


def slot_of(connection: Connection) -> int:
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    connection.rollback()
    return int(pid) % COUNTER_SLOTS


@pytest.fixture
def writers(pg_engine: Engine) -> Iterator[list[Connection]]:
    """Three connections whose writes go to three different slots."""
    with ExitStack() as stack:
        by_slot: dict[int, Connection] = {}
        for _ in range(12):  # the pool holds 15; slots of 3 among 12 never all collide
            connection = stack.enter_context(pg_engine.connect())
            by_slot.setdefault(slot_of(connection), connection)
            if len(by_slot) == 3:
                break
        assert len(by_slot) == 3
        yield list(by_slot.values())


def slots_used(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM post_totals")).scalar_one())


def test_writers_in_different_slots_do_not_wait_for_each_others_commit(
    writers: list[Connection], author: User, pg_uow: SqlUnitOfWork
) -> None:
    first, second, _ = writers
    with first.begin():
        SqlPostRepository(first).add(make_post(author))  # holds its counter rows until commit
        with second.begin():
            # On one shared counter row this write would wait for the first one's commit.
            second.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
            SqlPostRepository(second).add(make_post(author))
    assert post_counts(pg_uow, author) == (2, 2, 0, 0)


def test_counts_sum_every_slot_through_writes_edits_and_deletions(
    writers: list[Connection], author: User, pg_uow: SqlUnitOfWork, pg_engine: Engine
) -> None:
    first, second, third = writers
    draft = make_post(author, published=False, published_at=None)
    with first.begin():
        kept = SqlPostRepository(first).add(make_post(author))
        unpublished = SqlPostRepository(first).add(draft)
    with second.begin():
        gone = SqlPostRepository(second).add(make_post(author))
        SqlPostRepository(second).add(draft)
    assert post_counts(pg_uow, author) == (2, 2, 2, 2)
    with third.begin():
        published: Post = evolve(unpublished, published=True, published_at=T0, version=2)
        assert SqlPostRepository(third).update(published, unpublished)
        SqlPostRepository(third).remove(gone.id or 0)
    assert post_counts(pg_uow, author) == (2, 2, 1, 1)
    assert slots_used(pg_engine) >= 3  # spread over the writers' slots, summed on reading
    assert wrong_post_counters(pg_engine) == 0
    with first.begin():
        SqlUserRepository(first).remove(author.id or 0)  # the totals lose all of their posts
    assert post_counts(pg_uow, author) == (0, 0, 0, 0)
    assert kept.id is not None and wrong_post_counters(pg_engine) == 0


# A user's deletion holds their row FOR UPDATE, reads their counts, then cascades to their
# posts. A change to one of their posts in another slot must neither deadlock with it nor be
# counted by it before it commits.


def test_removing_a_post_while_its_author_is_deleted_neither_deadlocks_nor_miscounts(
    writers: list[Connection], author: User, pg_engine: Engine
) -> None:
    first, second, deleter = writers
    with first.begin():
        post = SqlPostRepository(first).add(make_post(author))
    with deleter.begin():
        deleter.execute(text("SELECT 1 FROM users WHERE id = :id FOR UPDATE"), {"id": author.id})

        def remove_post() -> None:
            with second.begin():
                SqlPostRepository(second).remove(post.id or 0)

        remover, errors = in_thread(remove_post)
        wait_until_blocked(pg_engine)  # on the author's row, holding nothing yet
        SqlUserRepository(deleter).remove(author.id or 0)
    remover.join()
    assert errors == []
    assert wrong_post_counters(pg_engine) == 0


@pytest.mark.parametrize("change", ["remove", "unpublish"])
def test_a_post_changed_before_its_author_is_deleted_is_counted_once(
    writers: list[Connection], author: User, pg_engine: Engine, change: str
) -> None:
    first, _, deleter = writers
    with first.begin():
        post = SqlPostRepository(first).add(make_post(author))
        SqlPostRepository(first).add(make_post(author))
        SqlPostRepository(first).add(make_post(author, published=False, published_at=None))
    # Changed in the slot its counters already have rows in (so no foreign-key check takes the
    # author's row), not yet committed when the deletion starts.
    with first.begin():
        if change == "remove":
            SqlPostRepository(first).remove(post.id or 0)
        else:
            draft = evolve(post, published=False, published_at=None, version=2)
            assert SqlPostRepository(first).update(draft, post)

        def remove_user() -> None:
            with deleter.begin():
                SqlUserRepository(deleter).remove(author.id or 0)

        removal, errors = in_thread(remove_user)
        wait_until_blocked(pg_engine)
    removal.join()
    assert errors == []
    assert wrong_post_counters(pg_engine) == 0


def test_a_users_deletion_waits_for_a_registration_before_it_holds_any_post_counter(
    writers: list[Connection], author: User, pg_engine: Engine
) -> None:
    """The users counter comes first for every writer (the seed takes it, then post counters):
    a deletion that took the post totals first could deadlock with the seed."""
    registering, deleting, other = writers
    with registering.begin():
        SqlPostRepository(registering).add(make_post(author))
    with registering.begin():
        SqlUserRepository(registering).add(make_user())  # holds the users counter

        def remove_author() -> None:
            with deleting.begin():
                SqlUserRepository(deleting).remove(author.id or 0)

        deletion, errors = in_thread(remove_author)
        wait_until_blocked(pg_engine)
        with other.begin():  # no post counter is held by the waiting deletion
            other.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
            other.exec_driver_sql("SELECT 1 FROM post_totals FOR UPDATE")
            other.exec_driver_sql("SELECT 1 FROM author_post_counts FOR UPDATE")
    deletion.join()
    assert errors == []
    assert wrong_post_counters(pg_engine) == 0
