"""Reliability fixtures: the real app on PostgreSQL, and a way to line requests up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from domain.users import Role
from infrastructure.db.models import Base
from interfaces.container import Container, build_container
from interfaces.http.app import create_app
from tests.conftest import SignedIn
from tests.factories import PASSWORD
from tests.pg import dispose_pools, in_thread, wait_until_blocked

T = TypeVar("T")
DEADLINE = 60  # seconds any one concurrent request may take before the test fails

TEST_ENV = {
    "APP_ENV": "testing",
    "JWT_SECRET_KEY": "x" * 40,
    "SECRET_KEY": "y" * 40,
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_COST": "8",
    "ARGON2_PARALLELISM": "1",
    "LOG_LEVEL": "WARNING",
}


def app_env(database_url: str) -> dict[str, str]:
    return {**TEST_ENV, "DATABASE_URL": database_url}


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        names = ", ".join(table.name for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_container(pg_url: str) -> Iterator[Container]:
    """The production container on this process's PostgreSQL database, emptied first."""
    container = build_container(env=app_env(pg_url))
    # Singletons are built once here, before any thread races to build them.
    empty_tables(container.engine())
    container.hasher()
    container.token_service()
    yield container
    container.unwire()
    dispose_pools(container)


@pytest.fixture
def pg_app(pg_container: Container) -> Flask:
    return create_app(pg_container)


def at_once(count: int, request: Callable[[int], T]) -> list[T]:
    """Run `request(i)` for i in range(count) on as many threads, released together."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=DEADLINE)
        return request(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run, index) for index in range(count)]
        return [future.result(timeout=DEADLINE) for future in futures]


def sign_up(app: Flask, email: str, name: str = "Some One") -> dict[str, Any]:
    """Register and log in over HTTP; the login answer (tokens and user)."""
    client = app.test_client()
    body = {"email": email, "name": name, "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def scalar(container: Container, sql: str, **params: Any) -> Any:
    """One value read straight from the database: what the races left behind."""
    with container.engine().connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def promote_to_admin(container: Container, person: dict[str, Any]) -> None:
    """Make a signed-up person (sign_up's answer) an admin, straight in the database: nobody
    registers as one, and their token reads the role afresh on every request."""
    with container.engine().begin() as connection:
        connection.execute(
            text("UPDATE users SET role = 'admin' WHERE id = :id"), {"id": person["user"]["id"]}
        )


@pytest.fixture
def world(client: FlaskClient, auth: Callable[..., SignedIn]) -> dict[str, Any]:
    """A user, an admin and a post of the user's: whom and what hostile requests aim at."""
    user, admin = auth(), auth(Role.ADMIN)
    post = client.post("/api/v1/posts", json={"title": "t", "content": "c"}, headers=user.headers)
    assert post.status_code == 201
    return {"user": user, "admin": admin, "post": post.json["id"]}


HOLD_USER = "SELECT 1 FROM users WHERE id = :id FOR NO KEY UPDATE"


def race(
    container: Container,
    hold_sql: str,
    hold_params: dict[str, Any],
    first: Callable[[], Any],
    second: Callable[[], Any],
) -> dict[str, Any]:
    """`first` queues on the held row, then `second` queues too (on it or behind `first`);
    the holder lets go. Answers by name."""
    answers: dict[str, Any] = {}
    engine = container.engine()
    with engine.connect() as holder:
        holder.execute(text(hold_sql), hold_params)
        t1, e1 = in_thread(lambda: answers.__setitem__("first", first()))
        wait_until_blocked(engine, 1)
        t2, e2 = in_thread(lambda: answers.__setitem__("second", second()))
        wait_until_blocked(engine, 2)
        holder.rollback()
    for thread in (t1, t2):
        thread.join(timeout=30)
    assert not e1 and not e2, (e1, e2)
    return {k: (v.status_code, v.json) for k, v in answers.items()}
