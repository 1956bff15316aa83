"""No N+1: the number of SQL statements of a request does not depend on the size of the page."""

from __future__ import annotations

from collections.abc import Iterator
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
from tests.factories import registration
from tests.integration.conftest import empty_tables


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
    assert one == hundred == 2  # the page with its authors, and the total


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


def test_writing_a_post_is_one_statement_and_one_transaction_after_authentication(
    sql_client: FlaskClient, sql_container: Container
) -> None:
    headers = signed_in(sql_client)
    body = {"title": "t", "content": "c", "published": True}
    counter = StatementCounter(sql_container)
    transactions: list[object] = []
    event.listen(sql_container.engine(), "begin", lambda *args: transactions.append(args))
    created = counter.during(lambda: sql_client.post("/api/v1/posts", json=body, headers=headers))
    # PostgreSQL: session with user, then the post with both its counters in one statement,
    # in one transaction. SQLite has no INSERT inside WITH: the post, then each counter.
    postgres = sql_container.engine().dialect.name == "postgresql"
    assert (created, len(transactions)) == ((2, 1) if postgres else (4, 1))


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
    assert one == many == 3  # authentication, the page, the total (31 users)
    whole = counter.during(lambda: sql_client.get("/api/v1/users?per_page=100", headers=headers))
    assert whole == 2  # a page that ends the list tells the total itself
