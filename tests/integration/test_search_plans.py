"""Searches are planned for their text every time (PostgreSQL).

psycopg prepares a statement on its sixth run on a connection, and PostgreSQL may then use one
plan for every value. For a search that plan walked the newest-first index over the whole table
when the text was rare, many times slower than a plan made for that text. So search statements
must never be prepared, while other statements still are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from attrs import evolve
from sqlalchemy import Connection, Engine, text

from application.paging import PageRequest
from application.ports import PostFilter
from infrastructure.db.engine import make_read_engine
from infrastructure.db.posts import SqlPostRepository
from infrastructure.db.users import SqlUserRepository
from tests.factories import T0, make_post, make_user
from tests.integration.conftest import empty_tables

pytestmark = pytest.mark.postgres
RUNS = 8  # more than psycopg's prepare threshold (5)


def prepared(connection: Connection) -> list[str]:
    rows = connection.execute(text("SELECT statement FROM pg_prepared_statements"))
    return [statement for (statement,) in rows]


@pytest.fixture
def read_engine(pg_engine: Engine) -> Iterator[Engine]:
    empty_tables(pg_engine)
    with pg_engine.begin() as connection:
        users = [
            make_user(email=f"user{i}@bench.test", created_at=T0 + timedelta(seconds=i))
            for i in range(60)
        ]
        ids = SqlUserRepository(connection).add_many(users)
        author = evolve(users[0], id=ids[0])
        SqlPostRepository(connection).add_many(
            make_post(author, title=f"title {i}", published=True) for i in range(60)
        )
    engine = make_read_engine(pg_engine.url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


def test_a_user_search_run_many_times_is_never_prepared(read_engine: Engine) -> None:
    window = PageRequest().window()
    with read_engine.connect() as connection:
        users = SqlUserRepository(connection)
        for _ in range(RUNS):
            assert len(users.find("user4", window).items) == 11
            assert users.count("user4", 1001) == 11
            users.find(None, window)  # an unfiltered page is prepared as before
        statements = prepared(connection)
    assert not [s for s in statements if "ILIKE" in s.upper()], statements
    assert any("FROM users" in s for s in statements), "psycopg prepared nothing: no proof"


def test_a_post_search_run_many_times_is_never_prepared(read_engine: Engine) -> None:
    window = PageRequest().window()
    searching = PostFilter(published=True, search="title 1")
    with read_engine.connect() as connection:
        posts = SqlPostRepository(connection)
        for _ in range(RUNS):
            assert len(posts.find(searching, window).items) == 11
            assert posts.count(searching, 1001) == 11
            posts.find(PostFilter(published=True), window)
        statements = prepared(connection)
    assert not [s for s in statements if "_folded LIKE" in s], statements
    assert any("FROM posts" in s for s in statements), "psycopg prepared nothing: no proof"
