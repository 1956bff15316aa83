"""Reads on the driver's cursor give exactly the rows SQLAlchemy's own execution gives,
on SQLite and PostgreSQL, and fail as SQLAlchemy's do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Select, bindparam, select
from sqlalchemy.exc import DBAPIError

from application.paging import Window
from domain.comments import Comment
from domain.posts import Author
from infrastructure.db.comments import comment_page, get_comment
from infrastructure.db.counters import AUTHOR_POST_TOTAL, POST_TOTAL
from infrastructure.db.driver_reads import driver_rows, first_row, one_value
from infrastructure.db.engine import make_read_engine
from infrastructure.db.follows import STATS
from infrastructure.db.lists import search_values
from infrastructure.db.models import UserRow
from infrastructure.db.post_filters import Shape
from infrastructure.db.post_queries import (
    FEED_TOTAL,
    TAG_TOTAL,
    get_post,
    matches_count,
    page_values,
    post_page,
)
from infrastructure.db.sessions import SESSION_HOLDER, SESSION_WITH_USER
from infrastructure.db.tags import MOST_USED
from infrastructure.db.users import (
    GET_USER,
    GET_USER_BY_EMAIL,
    GET_USER_BY_USERNAME,
    USER_TOTAL,
    user_search_count,
)
from tests.factories import T0, make_post, make_session, make_user
from tests.integration.conftest import empty_tables, sql_uow

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def stored(request: pytest.FixtureRequest) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """A read-only connection to a database holding two users, a session, a tagged post that
    both favorited and its author commented on, and the other (the viewer) following them."""
    engine: Engine = request.getfixturevalue(
        "pg_engine" if request.param == "postgres" else "sqlite_engine"
    )
    empty_tables(engine)
    with sql_uow(engine) as uow:
        user = uow.users.add(make_user(email="ann@example.com", username="Ann"))
        fan = uow.users.add(make_user())
        session = make_session(user.id)
        uow.sessions.add(session)
        post = make_post(user, published=True, published_at=T0, slug="a-post", tags=("x", "y"))
        post = uow.posts.add(post)
        for who in (user, fan):
            uow.favorites.add(who.id, post.id, T0)
        uow.follows.add(fan.id, user.id, T0)
        author = Author(id=user.id, name=user.name, username=user.username)
        comment = Comment(id=None, post_id=post.id, author=author, body="b", created_at=T0,
                          updated_at=T0)  # fmt: skip
        comment = uow.comments.add(comment)
        uow.commit()
    keys = {
        "user_id": user.id, "email": user.email, "session_id": session.id, "post_id": post.id,
        "key": "ann", "slug": "a-post", "comment_id": comment.id, "viewer_id": fan.id,
    }  # fmt: skip
    reader = make_read_engine(engine.url.render_as_string(hide_password=False))
    with reader.connect() as connection:
        yield connection, keys
    reader.dispose()


STATEMENTS: dict[str, tuple[Callable[[bool], Select[Any]], str]] = {
    # by the dialect (PostgreSQL reads authors by LATERAL subqueries), and the key read by
    "post": (lambda pg: get_post(False, postgres=pg), "post_id"),
    "post for a reader": (lambda pg: get_post(True, postgres=pg), "post_id"),
    "post by slug": (lambda pg: get_post(True, by_slug=True, postgres=pg), "slug"),
    "user": (lambda _: GET_USER, "user_id"),
    "user by e-mail": (lambda _: GET_USER_BY_EMAIL, "email"),
    "user by username": (lambda _: GET_USER_BY_USERNAME, "key"),
    "session holder": (lambda _: SESSION_HOLDER, "session_id"),
    "session with user": (lambda _: SESSION_WITH_USER, "session_id"),
    "comment": (lambda pg: get_comment(False, pg), "comment_id"),
    "comment for a reader": (lambda pg: get_comment(True, pg), "comment_id"),
    "follow stats": (lambda _: STATS, "user_id"),
}


def statement(connection: Connection, name: str) -> tuple[Select[Any], str]:
    make, key = STATEMENTS[name]
    return make(connection.dialect.name == "postgresql"), key


@pytest.mark.parametrize("name", STATEMENTS)
def test_a_driver_read_gives_the_row_sqlalchemy_gives(
    stored: tuple[Connection, dict[str, Any]], name: str
) -> None:
    connection, keys = stored
    stmt, key = statement(connection, name)
    values = {key: keys[key], "viewer_id": keys["viewer_id"]}
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
    stmt, key = statement(connection, name)
    missing: Any = {"email": "nobody@example.com", "key": "nobody", "slug": "no-such-post"}
    missing = missing.get(key, "0" * 32 if key == "session_id" else 0)
    assert first_row(connection, stmt, {key: missing, "viewer_id": 0}) is None


def test_a_driver_error_is_raised_as_sqlalchemys(
    stored: tuple[Connection, dict[str, Any]],
) -> None:
    """The statement runs again through SQLAlchemy, which wraps the error (and invalidates a
    lost connection) as for any other statement."""
    connection, keys = stored
    connection.connection.driver_connection.close()  # type: ignore[union-attr]
    with pytest.raises(DBAPIError):
        first_row(connection, GET_USER, {"user_id": keys["user_id"]})


PAGES: dict[str, tuple[Shape, dict[str, Any]]] = {
    "published": (Shape(published=True), {}),
    "searching": (Shape(published=True, searching=True), search_values("content", 2)),
    "searching by words": (
        Shape(published=True, searching=True, word_count=2),
        search_values("Content of post", 2),
    ),
    "by tag": (Shape(published=True, tagged=True), {"tag": "y"}),
    "favorited by": (Shape(published=True, favorited_by=True), {"favorited_by": "fan"}),
    "feed": (Shape(published=True, followed_by=True), {"followed_by": "fan"}),
}


@pytest.mark.parametrize("after", [False, True], ids=["first", "by cursor"])
@pytest.mark.parametrize("name", PAGES)
def test_a_page_read_on_the_driver_gives_the_rows_sqlalchemy_gives(
    stored: tuple[Connection, dict[str, Any]], name: str, after: bool
) -> None:
    """Pages write LIMIT and OFFSET into the SQL (literal_execute); the expanded SQL has them.
    Each page is read for a reader (with `favorited`), the feed as PostgreSQL reads it, and
    after a cursor, whose time SQLite gets as SQLAlchemy's own execution would send it."""
    connection, keys = stored
    shape, extra = PAGES[name]
    postgres = connection.dialect.name == "postgresql"
    stmt = post_page(shape, True, after, postgres)
    window = Window(after=None, offset=0, limit=21)
    values: dict[str, Any] = {"published": True, **page_values(window)}
    values |= {k: keys["viewer_id"] if v == "fan" else v for k, v in extra.items()}
    values["viewer_id"] = keys["viewer_id"]
    if after:
        values.update(after_created_at=T0 + timedelta(seconds=1), after_id=keys["post_id"])
    expected = [dict(row) for row in connection.execute(stmt, values).mappings()]
    assert driver_rows(connection, stmt, values) == expected
    assert len(expected) == 1
    assert expected[0]["favorited"]


@pytest.mark.parametrize("literal", [False, True], ids=["bound", "written in"])
def test_an_in_list_is_read_with_the_sql_of_its_own_length(
    stored: tuple[Connection, dict[str, Any]], literal: bool
) -> None:
    """An IN list's SQL changes with its length (and holds its values when written in): it is
    never kept, whatever lengths come in turn."""
    connection, keys = stored
    users = UserRow.__table__
    ids = bindparam("ids", expanding=True, literal_execute=literal)
    stmt = select(users.c.id).where(users.c.id.in_(ids)).order_by(users.c.id)
    mine, theirs = keys["user_id"], keys["viewer_id"]
    for wanted in ([mine], [mine, theirs, 0], [theirs], [0, 0], [theirs, mine]):
        got = driver_rows(connection, stmt, {"ids": wanted})
        assert got == [{"id": i} for i in sorted({mine, theirs} & set(wanted))]


@pytest.mark.parametrize("database", DATABASES)
def test_the_sql_kept_for_a_page_follows_its_limit_and_offset(
    request: pytest.FixtureRequest, database: str
) -> None:
    """The SQL with its LIMIT and OFFSET written in is kept for each pair of them: pages of
    other sizes and depths, in any order, are read with their own, the bound values anew."""
    engine: Engine = request.getfixturevalue(
        f"{'pg' if database == 'postgres' else 'sqlite'}_engine"
    )
    empty_tables(engine)
    with sql_uow(engine) as uow:
        author = uow.users.add(make_user())
        for n in range(4):
            uow.posts.add(make_post(author, published=True, published_at=T0, slug=f"p-{n}"))
        uow.commit()
    reader = make_read_engine(engine.url.render_as_string(hide_password=False))
    with reader.connect() as connection:
        _read_pages_of_every_size(connection)
    reader.dispose()


def _read_pages_of_every_size(connection: Connection) -> None:
    stmt = post_page(Shape(published=True), False, False, connection.dialect.name == "postgresql")
    for offset, limit in [(0, 2), (0, 3), (0, 2), (2, 2), (3, 3), (0, 3), (2, 2)]:
        values = {"published": True, **page_values(Window(after=None, offset=offset, limit=limit))}
        expected = [dict(row) for row in connection.execute(stmt, values).mappings()]
        assert driver_rows(connection, stmt, values) == expected
        assert len(expected) == min(limit, 4 - offset)


@pytest.mark.parametrize("after", [False, True], ids=["first", "by cursor"])
@pytest.mark.parametrize("viewer", [False, True], ids=["anonymous", "reader"])
def test_a_comments_page_reads_on_the_driver_as_sqlalchemy_reads_it(
    stored: tuple[Connection, dict[str, Any]], viewer: bool, after: bool
) -> None:
    connection, keys = stored
    stmt = comment_page(viewer, after, connection.dialect.name == "postgresql")
    values = {"post_id": keys["post_id"], "offset": 0, "limit": 21, "viewer_id": keys["viewer_id"]}
    if after:
        values.update(after_created_at=T0 + timedelta(seconds=1), after_id=keys["comment_id"])
    expected = [dict(row) for row in connection.execute(stmt, values).mappings()]
    assert driver_rows(connection, stmt, values) == expected
    assert len(expected) == 1
    assert expected[0]["author_following"] is viewer


def test_the_tags_read_on_the_driver_as_sqlalchemy_reads_them(
    stored: tuple[Connection, dict[str, Any]],
) -> None:
    connection, _ = stored
    expected = [dict(row) for row in connection.execute(MOST_USED, {"limit": 100}).mappings()]
    assert driver_rows(connection, MOST_USED, {"limit": 100}) == expected
    assert expected == [{"name": "y", "posts": 1}, {"name": "x", "posts": 1}]


TOTALS: dict[str, tuple[Any, dict[str, Any], dict[str, Any] | None]] = {
    # a statement, its values where it counts something, and where it counts nothing
    "posts": (POST_TOTAL, {"published": True}, {"published": False}),
    "an author's posts": (
        AUTHOR_POST_TOTAL,
        {"author_id": "user", "published": True},
        {"author_id": 0, "published": True},
    ),
    "a tag's posts": (TAG_TOTAL, {"tag": "y"}, {"tag": "none"}),
    "the feed": (FEED_TOTAL, {"followed_by": "fan"}, {"followed_by": 0}),
    "search matches": (
        matches_count(Shape(published=True, searching=True)),
        {"published": True, **search_values("content", 2), "at_most": 1001},
        {"published": True, **search_values("nothing", 2), "at_most": 1001},
    ),
    "search matches, by words": (
        matches_count(Shape(published=True, searching=True, word_count=2)),
        {"published": True, **search_values("Content of post", 2), "at_most": 1001},
        {"published": True, **search_values("content of nothing", 2), "at_most": 1001},
    ),
    "users": (USER_TOTAL, {}, None),
    "user search matches": (
        user_search_count(0),
        {**search_values("ann", 2), "at_most": 1001},
        {**search_values("nobody", 2), "at_most": 1001},
    ),
    "user search matches, by words": (
        user_search_count(2),
        {**search_values("ann@example", 2), "at_most": 1001},
        {**search_values("ann@elsewhere", 2), "at_most": 1001},
    ),
}  # fmt: skip


CASES = [(name, True) for name in TOTALS] + [
    (name, False) for name, (_, _, nothing) in TOTALS.items() if nothing is not None
]


@pytest.mark.parametrize(("name", "counts"), CASES, ids=[f"{n}, {c}" for n, c in CASES])
def test_a_total_read_on_the_driver_is_the_value_sqlalchemy_reads(
    stored: tuple[Connection, dict[str, Any]], name: str, counts: bool
) -> None:
    connection, keys = stored
    stmt, something, nothing = TOTALS[name]
    people = {"user": keys["user_id"], "fan": keys["viewer_id"]}
    values = {
        key: people.get(value, value) for key, value in (something if counts else nothing).items()
    }
    expected = connection.execute(stmt, values).scalar()
    got = one_value(connection, stmt, values, on_driver=True)
    assert (got, type(got)) == (expected, type(expected))
    assert (int(got or 0) > 0) is counts
