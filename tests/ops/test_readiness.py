"""Readiness really asks the database; liveness does not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from interfaces.container import Container, build_container
from interfaces.http.app import create_app
from tests.ops.server import CHEAP_ARGON2
from tests.pg import dispose_pools

SETTINGS = {"APP_ENV": "testing", "SECRET_KEY": "s" * 32, **CHEAP_ARGON2}
CLOSED_PORT = "postgresql+psycopg://postgres@127.0.0.1:1/quill"


@pytest.fixture
def client_on() -> Iterator[Callable[[str], FlaskClient]]:
    """A client of the app built from the environment, on the given database."""
    built: list[Container] = []

    def on(database_url: str) -> FlaskClient:
        built.append(build_container({**SETTINGS, "DATABASE_URL": database_url}))
        return create_app(built[-1]).test_client()

    yield on
    for container in built:
        dispose_pools(container)
        container.unwire()


def test_readiness_fails_while_the_database_is_unreachable(
    client_on: Callable[[str], FlaskClient],
) -> None:
    client = client_on(CLOSED_PORT)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "message": "The database is not answering.",
        "code": "service_unavailable",
    }
    assert "psycopg" not in response.get_data(as_text=True)
    assert client.get("/healthz").json == {"status": "ok"}


def test_a_request_needing_the_unreachable_database_is_service_unavailable(
    client_on: Callable[[str], FlaskClient],
) -> None:
    response = client_on(CLOSED_PORT).get("/api/v1/posts")
    assert response.status_code == 503
    assert response.json is not None and response.json["code"] == "service_unavailable"


def test_readiness_answers_ready_when_the_database_answers(
    client_on: Callable[[str], FlaskClient], tmp_path: Path
) -> None:
    response = client_on(f"sqlite:///{tmp_path}/q.db").get("/readyz")
    assert (response.status_code, response.json) == (200, {"status": "ready"})
