"""Shared fixtures: clock, hasher, unit of work, container, app, client, CLI runner, auth."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from attrs import frozen
from click.testing import CliRunner
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from application.users import Registration
from domain.users import Role
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from infrastructure.settings import Settings
from interfaces.container import Container, settings_dict
from interfaces.http.app import create_app
from tests.factories import PASSWORD, FixedClock, registration
from tests.pg import postgres_database

CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(**CHEAP_ARGON2)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test process; absent without the variable."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests do not run")
    with postgres_database(url, os.environ.get("PYTEST_XDIST_WORKER", "main")) as fresh:
        yield fresh


def test_settings(database_url: str = "sqlite://") -> Settings:
    return Settings(
        app_env="testing",
        database_url=database_url,
        secret_key="s" * 32,
        jwt_secret_key="test-jwt-secret-key-of-some-length",
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture
def container(
    uow: InMemoryUnitOfWork, clock: FixedClock, hasher: Argon2PasswordHasher
) -> Iterator[Container]:
    """The real container with in-memory storage, a fixed clock and a cheap hasher."""
    container = Container()
    container.config.from_dict(settings_dict(test_settings()))
    container.uow.override(providers.Object(uow))
    container.clock.override(providers.Object(clock))
    container.hasher.override(providers.Object(hasher))
    # Storage in memory has no schema to migrate: ready. tests/ops/test_readiness probes real ones.
    container.readiness.override(providers.Object(lambda: None))
    yield container
    container.unwire()
    container.reset_override()


@pytest.fixture
def app(container: Container) -> Flask:
    return create_app(container)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@frozen(kw_only=True)
class SignedIn:
    """A registered, logged-in user as a client holds them."""

    user: dict[str, Any]
    password: str
    access_token: str
    refresh_token: str

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def refresh_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.refresh_token}"}


@pytest.fixture
def auth(client: FlaskClient, container: Container) -> Callable[..., SignedIn]:
    """Register (an admin if `role=Role.ADMIN`, through the CLI's path) and log in."""

    def sign_in(role: Role = Role.USER, **fields: Any) -> SignedIn:
        body = registration(**fields)
        if role is Role.ADMIN:
            container.register_user()(Registration(**body), role=Role.ADMIN)
        else:
            assert client.post("/api/v1/users", json=body).status_code == 201
        response = client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
        )
        assert response.status_code == 200, response.json
        tokens = response.json
        assert tokens is not None
        return SignedIn(
            user=tokens["user"],
            password=body["password"],
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
        )

    return sign_in


__all__ = ["PASSWORD"]
