"""Reads on the driver's cursor give exactly the rows SQLAlchemy's own execution gives,
on SQLite and PostgreSQL, and fail as SQLAlchemy's do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Select
from sqlalchemy.exc import DBAPIError

from infrastructure.db.driver_reads import driver_rows, first_row
from infrastructure.db.engine import make_read_engine
from infrastructure.db.lists import like_pattern
from infrastructure.db.posts import GET_POST, post_page
from infrastructure.db.sessions import SESSION_HOLDER, SESSION_WITH_USER
from infrastructure.db.users import GET_USER, GET_USER_BY_EMAIL
from tests.factories import T0, make_post, make_session, make_user
from tests.integration.conftest import empty_tables, sql_uow

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def stored(request: pytest.FixtureRequest) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """A read-only connection to a database holding a user, their session and a post."""
    engine: Engine = request.getfixturevalue(
        "pg_engine" if request.param == "postgres" else "sqlite_engine"
    )
    empty_tables(engine)
    with sql_uow(engine) as uow:
        user = uow.users.add(make_user(email="ann@example.com"))
        session = make_session(user.id)
        uow.sessions.add(session)
        post = uow.posts.add(make_post(user, published=True, published_at=T0))
        uow.commit()
    keys = {"user_id": user.id, "email": user.email, "session_id": session.id, "post_id": post.id}
    reader = make_read_engine(engine.url.render_as_string(hide_password=False))
    with reader.connect() as connection:
        yield connection, keys
    reader.dispose()


STATEMENTS: dict[str, tuple[Select[Any], str]] = {
    "post": (GET_POST, "post_id"),
    "user": (GET_USER, "user_id"),
    "user by e-mail": (GET_USER_BY_EMAIL, "email"),
    "session holder": (SESSION_HOLDER, "session_id"),
    "session with user": (SESSION_WITH_USER, "session_id"),
}


@pytest.mark.parametrize("name", STATEMENTS)
def test_a_driver_read_gives_the_row_sqlalchemy_gives(
    stored: tuple[Connection, dict[str, Any]], name: str
) -> None:
    connection, keys = stored
    stmt, key = STATEMENTS[name]
    values = {key: keys[key]}
    expected = dict(connection.execute(stmt, values).mappings().one())
    got = first_row(connection, stmt, values)
    assert got == expected
    assert got is not None
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


@pytest.mark.parametrize("name", STATEMENTS)
def test_a_driver_read_of_nothing_is_none(
    stored: tuple[Connection, dict[str, Any]], name: str
) -> None:
    connection, _ = stored
    stmt, key = STATEMENTS[name]
    missing: Any = "nobody@example.com" if key == "email" else 0
    if key == "session_id":
        missing = "0" * 32
    assert first_row(connection, stmt, {key: missing}) is None


def test_a_driver_error_is_raised_as_sqlalchemys(
    stored: tuple[Connection, dict[str, Any]],
) -> None:
    """The statement runs again through SQLAlchemy, which wraps the error (and invalidates a
    lost connection) as for any other statement."""
    connection, keys = stored
    connection.connection.driver_connection.close()  # type: ignore[union-attr]
    with pytest.raises(DBAPIError):
        first_row(connection, GET_USER, {"user_id": keys["user_id"]})


@pytest.mark.parametrize("searching", [False, True])
def test_a_page_read_on_the_driver_gives_the_rows_sqlalchemy_gives(
    stored: tuple[Connection, dict[str, Any]], searching: bool
) -> None:
    """Pages write LIMIT and OFFSET into the SQL (literal_execute); the expanded SQL has them."""
    connection, _ = stored
    stmt = post_page(True, False, searching, False)
    values: dict[str, Any] = {"published": True, "offset": 0, "limit": 21}
    if searching:
        values["pattern"] = like_pattern("content")
    expected = [dict(row) for row in connection.execute(stmt, values).mappings()]
    assert driver_rows(connection, stmt, values) == expected
    assert len(expected) == 1
