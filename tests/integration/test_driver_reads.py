"""The hot reads that skip SQLAlchemy's execution on PostgreSQL return what SQLAlchemy's would.

A read-only unit of work (autocommit) runs them on psycopg's cursor; a transaction runs the
very same repository methods through SQLAlchemy. Both must agree, row for row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, literal_column, select, text

from application.paging import Cursor, PageRequest
from application.ports import PostFilter
from domain.errors import ServiceUnavailable
from domain.sessions import SessionHolder
from infrastructure.db.driver import all_rows
from infrastructure.db.unit_of_work import SqlUnitOfWork, make_engine
from tests.factories import T0, make_post, make_session, make_user

pytestmark = pytest.mark.postgres


@pytest.fixture
def data(pg_uow: SqlUnitOfWork) -> dict[str, Any]:
    """Two authors with published posts and drafts at equal and distinct times, a session."""
    with pg_uow:
        ann = pg_uow.users.add(make_user(email="ann@example.com", name="Ann 100%_off"))
        bob = pg_uow.users.add(make_user(email="bob@example.com", name="Bob"))
        posts = [
            pg_uow.posts.add(
                make_post(
                    author,
                    title=f"title {n} {'50% off' if n % 3 == 0 else 'plain'}",
                    published=n % 4 != 0,
                    created_at=T0 + timedelta(seconds=n // 2),
                )
            )
            for n in range(24)
            for author in (ann, bob)
        ]
        session = make_session(ann.id, id="s-1", refresh_token_id="r-1")
        pg_uow.sessions.add(session)
        pg_uow.commit()
    return {"ann": ann, "bob": bob, "posts": posts, "session": session}


def both(pg_uow: SqlUnitOfWork, repository: str, method: str, *args: Any) -> tuple[Any, Any]:
    """The read on psycopg's cursor (read-only unit) and through SQLAlchemy (a transaction)."""
    with pg_uow.read_only() as reader:
        on_driver = getattr(getattr(reader, repository), method)(*args)
    with pg_uow as writer:
        through_sqlalchemy = getattr(getattr(writer, repository), method)(*args)
    return on_driver, through_sqlalchemy


REQUESTS = [PageRequest(per_page=1), PageRequest(per_page=5), PageRequest(page=2, per_page=4)]


def filters(data: dict[str, Any]) -> Iterator[PostFilter]:
    for published in (True, False):
        for author_id in (None, data["ann"].id):
            for search in (None, "50% OFF", "_"):
                yield PostFilter(published=published, author_id=author_id, search=search)


def test_a_post_and_a_missing_post(pg_uow: SqlUnitOfWork, data: dict[str, Any]) -> None:
    for post in data["posts"][:3]:
        on_driver, through_sqlalchemy = both(pg_uow, "posts", "get", post.id)
        assert on_driver == through_sqlalchemy == post
    assert both(pg_uow, "posts", "get", 10**12) == (None, None)


def test_every_shape_of_post_list_and_count(pg_uow: SqlUnitOfWork, data: dict[str, Any]) -> None:
    middle = data["posts"][20]
    after = Cursor.after(middle).encode()
    for chosen in filters(data):
        for request in [*REQUESTS, PageRequest(per_page=7, cursor=after)]:
            on_driver, through_sqlalchemy = both(pg_uow, "posts", "find", chosen, request.window())
            assert on_driver == through_sqlalchemy, (chosen, request)
        on_driver, through_sqlalchemy = both(pg_uow, "posts", "count", chosen)
        assert on_driver == through_sqlalchemy, chosen
    assert both(pg_uow, "posts", "count", PostFilter(published=True)) == (36, 36)


def test_every_shape_of_user_list_and_count(pg_uow: SqlUnitOfWork, data: dict[str, Any]) -> None:
    for search in (None, "100%_", "BOB", "nobody"):
        for request in [*REQUESTS, PageRequest(cursor=Cursor.after(data["bob"]).encode())]:
            on_driver, through_sqlalchemy = both(pg_uow, "users", "find", search, request.window())
            assert on_driver == through_sqlalchemy, (search, request)
        on_driver, through_sqlalchemy = both(pg_uow, "users", "count", search)
        assert on_driver == through_sqlalchemy, search
    assert both(pg_uow, "users", "count", None) == (2, 2)


def test_a_session_with_its_user(pg_uow: SqlUnitOfWork, data: dict[str, Any]) -> None:
    on_driver, through_sqlalchemy = both(pg_uow, "sessions", "get_with_user", "s-1")
    assert on_driver == through_sqlalchemy == (data["session"], data["ann"])
    assert both(pg_uow, "sessions", "get_with_user", "nope") == (None, None)


def test_a_sessions_holder(pg_uow: SqlUnitOfWork, data: dict[str, Any]) -> None:
    on_driver, through_sqlalchemy = both(pg_uow, "sessions", "get_holder", "s-1")
    assert on_driver == through_sqlalchemy == SessionHolder.of(data["session"], data["ann"])
    assert both(pg_uow, "sessions", "get_holder", "nope") == (None, None)


def test_a_read_on_a_lost_connection_is_unavailable_and_the_next_one_reconnects(
    pg_url: str, data: dict[str, Any]
) -> None:
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    reads = SqlUnitOfWork(engine).read_only()
    try:
        with reads as reader:
            assert reader.posts.get(data["posts"][1].id) == data["posts"][1]
            backend = reader._connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with make_engine(pg_url).connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            admin.commit()
        with pytest.raises(ServiceUnavailable), reads as reader:
            reader.posts.get(data["posts"][1].id)
        with reads as reader:  # the pool dropped the dead connection: a fresh one serves
            assert reader.posts.get(data["posts"][1].id) == data["posts"][1]
    finally:
        engine.dispose()


def test_a_limit_written_into_the_statement_itself_is_rendered_too(pg_engine: Engine) -> None:
    limit = bindparam("limit", 2, literal_execute=True)
    stmt = select(literal_column("1").label("one")).select_from(text("generate_series(1, 5)"))
    with SqlUnitOfWork(pg_engine).read_only() as reader:
        rows = all_rows(reader._connection, stmt.limit(limit), {})
    assert [dict(row) for row in rows] == [{"one": 1}, {"one": 1}]
