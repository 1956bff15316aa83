"""No N+1: the number of SQL statements of a request does not depend on the size of the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from dependency_injector import providers
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from infrastructure.security import Argon2PasswordHasher
from interfaces.container import Container, settings_dict
from interfaces.http.app import create_app
from tests.conftest import test_settings
from tests.factories import PASSWORD, T0, registration
from tests.integration.conftest import empty_tables
from tests.integration.stored import comment_on, post_of


class StatementCounter:
    def __init__(self, container: Container) -> None:
        """Counts on both of the container's pools: transactions and read-only units.

        At the driver, which every statement goes through (point reads skip SQLAlchemy's
        execution and its events): psycopg's cursors, sqlite3's trace of the statements it
        runs (less transaction control and settings, which psycopg sends without a cursor).
        Fresh connections, so that each one counted is set up for counting.
        """
        self.statements: list[str] = []
        for engine in (container.engine(), container.read_engine()):
            postgres = engine.dialect.name == "postgresql"
            event.listen(engine, "connect", self._count_cursors if postgres else self._trace)
            engine.dispose()
        container.reads().close()  # the thread's kept connection, taken before counting

    def _trace(self, driver: Any, _record: Any) -> None:
        def seen(statement: str) -> None:
            if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
                self.statements.append(statement)

        driver.set_trace_callback(seen)

    def _count_cursors(self, driver: Any, _record: Any) -> None:
        seen = self.statements

        class CountingCursor(psycopg.Cursor[Any]):
            def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
                seen.append(str(query))
                return super().execute(query, *args, **kwargs)

        driver.cursor_factory = CountingCursor

    def during(self, action: Any) -> int:
        self.statements.clear()
        action()
        return len(self.statements)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_container(
    request: pytest.FixtureRequest, hasher: Argon2PasswordHasher
) -> Iterator[Container]:
    engine: Engine = request.getfixturevalue(
        "pg_engine" if request.param == "postgres" else "sqlite_engine"
    )
    empty_tables(engine)
    container = Container()
    container.config.from_dict(settings_dict(test_settings(str(engine.url))))
    container.engine.override(providers.Object(engine))
    container.hasher.override(providers.Object(hasher))
    yield container
    container.unwire()
    container.reset_override()


@pytest.fixture
def sql_client(sql_container: Container) -> FlaskClient:
    return create_app(sql_container).test_client()


def signed_in(client: FlaskClient) -> dict[str, str]:
    body = registration()
    client.post("/api/v1/users", json=body)
    tokens = client.post("/api/v1/auth/login", json={k: body[k] for k in ("email", "password")})
    return {"Authorization": f"Bearer {tokens.json['access_token']}"}  # type: ignore[index]


def test_a_page_of_100_posts_costs_as_many_statements_as_a_page_of_1(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    for _ in range(5):  # several authors, so a per-author query would show
        headers = signed_in(sql_client)
        for n in range(25):
            body = {"title": f"t{n}", "content": "c", "published": True}
            assert sql_client.post("/api/v1/posts", json=body, headers=headers).status_code == 201
    counter = StatementCounter(sql_container)
    one = counter.during(lambda: sql_client.get("/api/v1/posts?per_page=1"))
    hundred = counter.during(lambda: sql_client.get("/api/v1/posts?per_page=100"))
    assert one == hundred == 1  # the page with its authors and the kept total
    # A search's page counts its matches itself (lists.searched_page), by cursor too.
    first = counter.during(lambda: sql_client.get("/api/v1/posts?per_page=1&search=T1"))
    page = sql_client.get("/api/v1/posts?per_page=1&search=T1").json
    cursor = page["next_cursor"]  # type: ignore[index]
    assert page["total"] == 55  # type: ignore[index]  # t1 and t10 to t19, by five authors
    then = counter.during(lambda: sql_client.get(f"/api/v1/posts?search=T1&cursor={cursor}"))
    assert first == then == 1


def test_authenticating_a_request_is_one_round_trip(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    token = signed_in(sql_client)["Authorization"].removeprefix("Bearer ")
    counter = StatementCounter(sql_container)
    assert counter.during(lambda: sql_container.authenticate()(token)) == 1


def test_reading_a_post_with_a_token_is_two_round_trips_and_asking_who_i_am_one(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    headers = signed_in(sql_client)
    body = {"title": "t", "content": "c", "published": True}
    post = sql_client.post("/api/v1/posts", json=body, headers=headers).json
    counter = StatementCounter(sql_container)
    read = counter.during(lambda: sql_client.get(f"/api/v1/posts/{post['id']}", headers=headers))
    me = counter.during(lambda: sql_client.get("/api/v1/users/me", headers=headers))
    assert (read, me) == (2, 1)  # session with user, then the post; session with user


def test_writing_a_post_is_its_slug_number_and_one_statement_in_one_transaction(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    headers = signed_in(sql_client)
    body = {"title": "t", "content": "c", "published": True}
    counter = StatementCounter(sql_container)
    transactions: list[object] = []
    event.listen(sql_container.engine(), "begin", lambda *args: transactions.append(args))
    created = counter.during(lambda: sql_client.post("/api/v1/posts", json=body, headers=headers))
    # PostgreSQL: session with user, the slug's number (slugs.py), then the post with both its
    # counters in one statement, in one transaction. SQLite has no INSERT inside WITH: the
    # author's row, the number, the post, then each counter.
    postgres = sql_container.engine().dialect.name == "postgresql"
    assert (created, len(transactions)) == ((3, 1) if postgres else (6, 1))


def test_a_page_of_100_users_costs_as_many_statements_as_a_page_of_1(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    from application.users import Registration
    from domain.users import Role

    admin = registration()
    sql_container.register_user()(Registration(**admin), role=Role.ADMIN)
    for _ in range(30):
        sql_client.post("/api/v1/users", json=registration())
    login = sql_client.post("/api/v1/auth/login", json={k: admin[k] for k in ("email", "password")})
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}  # type: ignore[index]
    counter = StatementCounter(sql_container)
    one = counter.during(lambda: sql_client.get("/api/v1/users?per_page=1", headers=headers))
    many = counter.during(lambda: sql_client.get("/api/v1/users?per_page=30", headers=headers))
    assert one == many == 2  # authentication, the page with the kept total (31 users)
    whole = counter.during(lambda: sql_client.get("/api/v1/users?per_page=100", headers=headers))
    assert whole == 2  # a page that ends the list tells the total itself
    search = "/api/v1/users?per_page=1&search=example"
    assert counter.during(lambda: sql_client.get(search, headers=headers)) == 2  # counts itself


# Issue 17: every list page costs a fixed number of statements (docs/API.md, "Lists stay
# cheap"): posts with their authors, tags, counts and `favorited`, a tag's page, the feed (first
# and by cursor), a post's comments, the tags in use.


def member(client: FlaskClient) -> tuple[int, dict[str, str]]:
    """A registered user's id and headers."""
    headers = signed_in(client)
    me = client.get("/api/v1/users/me", headers=headers)
    return int(me.json["id"]), headers  # type: ignore[index]


@pytest.fixture
def social(sql_client: FlaskClient, sql_container: Container) -> dict[str, Any]:
    """Five authors of 25 tagged posts each; a reader who follows them all, favorites and
    comments on some; one post with 120 comments."""
    authors = [member(sql_client)[0] for _ in range(5)]
    reader, headers = member(sql_client)
    uow = sql_container.uow()
    with uow:
        by_id = {user_id: uow.users.get(user_id) for user_id in authors}
        posts = [
            post_of(
                by_id[author_id],
                title=f"Post {n} of {author_id}",
                tags=("x", f"t{n % 3}"),
                created_at=T0 + timedelta(minutes=n),
            )
            for author_id in authors
            for n in range(25)
        ]
        ids = uow.posts.add_many(posts)
        uow.follows.add_many((reader, author_id, T0) for author_id in authors)
        uow.favorites.add_many((reader, post_id, T0) for post_id in ids[::3])
        commenter = uow.users.get(reader)
        stored = uow.posts.get(ids[0])
        uow.comments.add_many(comment_on(stored, commenter, f"c{n}") for n in range(120))
        uow.commit()
    return {"headers": headers, "post": ids[0]}


def same_for_1_and_100(
    client: FlaskClient,
    counter: StatementCounter,
    path: str,
    headers: dict[str, str] | None = None,
    most: int = 100,
) -> int:
    """Statements of a page of 1 and of `most` (neither the last page, which would tell the
    total itself)."""
    sep = "&" if "?" in path else "?"
    one = counter.during(lambda: client.get(f"{path}{sep}per_page=1", headers=headers))
    many = counter.during(lambda: client.get(f"{path}{sep}per_page={most}", headers=headers))
    assert one == many, (path, one, many)
    return one


def test_a_page_of_posts_with_tags_counts_and_favorited_costs_the_same_whatever_its_size(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    listed = sql_client.get("/api/v1/posts?per_page=100", headers=social["headers"]).json
    assert {p["favorited"] for p in listed["items"]} == {True, False}  # type: ignore[index]
    # authentication, the page (authors, tags, counts, favorited, the kept total)
    assert same_for_1_and_100(sql_client, counter, "/api/v1/posts", social["headers"]) == 2
    assert same_for_1_and_100(sql_client, counter, "/api/v1/posts") == 1


def test_a_tags_page_costs_the_same_whatever_its_size(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    # the page along the tag's index, with the tag's kept count
    assert same_for_1_and_100(sql_client, counter, "/api/v1/posts?tag=x") == 1
    tagged = "/api/v1/posts?tag=t1"  # on 40 posts
    assert same_for_1_and_100(sql_client, counter, tagged, social["headers"], most=30) == 2


def test_a_page_of_someones_favorites_or_an_authors_posts_by_username_costs_the_same(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    me = sql_client.get("/api/v1/users/me", headers=social["headers"]).json
    path = f"/api/v1/posts?favorited_by={me['username']}"  # type: ignore[index]
    # the user by username, the page, its exact count (of 42)
    assert same_for_1_and_100(sql_client, counter, path, most=40) == 3


def test_a_feed_page_costs_the_same_whatever_its_size_and_depth(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    headers = social["headers"]
    # authentication, the page (on PostgreSQL see post_queries._feed_page) with the kept total
    assert same_for_1_and_100(sql_client, counter, "/api/v1/feed", headers) == 2
    cursor = sql_client.get("/api/v1/feed?per_page=50", headers=headers).json["next_cursor"]  # type: ignore[index]
    deep = counter.during(
        lambda: sql_client.get(f"/api/v1/feed?per_page=20&cursor={cursor}", headers=headers)
    )
    assert deep == 2


def test_a_page_of_comments_costs_the_same_whatever_its_size(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    path = f"/api/v1/posts/{social['post']}/comments"
    # the post (may the caller see it?), the page with its authors and the post's kept count
    assert same_for_1_and_100(sql_client, counter, path) == 2
    assert same_for_1_and_100(sql_client, counter, path, social["headers"]) == 3


def test_the_tags_in_use_are_one_statement(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    tags = sql_client.get("/api/v1/tags").json["tags"]  # type: ignore[index]
    assert tags[0] == {"name": "x", "posts": 125}
    assert counter.during(lambda: sql_client.get("/api/v1/tags")) == 1


# Issue 18: the RealWorld API's lists cost what v1's do (the same use cases, the same reads).


def conduit_headers(client: FlaskClient, v1_headers: dict[str, str]) -> dict[str, str]:
    """The same user, logged in through the RealWorld API."""
    email = client.get("/api/v1/users/me", headers=v1_headers).json["email"]  # type: ignore[index]
    login = client.post("/api/users/login", json={"user": {"email": email, "password": PASSWORD}})
    return {"Authorization": f"Token {login.json['user']['token']}"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("conduit", "v1"), [("/api/articles", "/api/v1/posts"), ("/api/articles/feed", "/api/v1/feed")]
)
def test_a_realworld_list_costs_what_v1_s_does_whatever_its_size(
    sql_client: FlaskClient,
    sql_container: Container,
    social: dict[str, Any],
    conduit: str,
    v1: str,
) -> None:
    counter = StatementCounter(sql_container)
    headers = conduit_headers(sql_client, social["headers"])
    one = counter.during(lambda: sql_client.get(f"{conduit}?limit=1", headers=headers))
    many = counter.during(lambda: sql_client.get(f"{conduit}?limit=100", headers=headers))
    assert one == many == same_for_1_and_100(sql_client, counter, v1, social["headers"])


def test_a_realworld_article_costs_what_a_v1_post_does(
    sql_client: FlaskClient, sql_container: Container, social: dict[str, Any]
) -> None:
    counter = StatementCounter(sql_container)
    v1_headers = social["headers"]
    headers = conduit_headers(sql_client, v1_headers)
    slug = sql_client.get(f"/api/v1/posts/{social['post']}").json["slug"]  # type: ignore[index]
    article = counter.during(lambda: sql_client.get(f"/api/articles/{slug}", headers=headers))
    post = counter.during(
        lambda: sql_client.get(f"/api/v1/posts/{social['post']}", headers=v1_headers)
    )
    assert article == post == 2  # authentication, the post as the reader sees it
