"""Operational routes: liveness, readiness, the OpenAPI document, the docs page and CORS."""

from __future__ import annotations

import re

import pytest
from dependency_injector import providers
from flask.testing import FlaskClient

from domain.errors import ServiceUnavailable
from interfaces.container import Container
from interfaces.http.app import create_app
from tests.api.helpers import assert_error

ORIGIN = "https://app.example.com"


def test_healthz_answers_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_service_unavailable_when_the_database_does_not_answer(
    client: FlaskClient, container: Container
) -> None:
    def down() -> None:
        raise ServiceUnavailable("The database is not answering.")

    with container.readiness.override(providers.Object(down)):
        response = client.get("/readyz")
    assert_error(response, 503, "service_unavailable")


def _documented(spec: dict) -> set[tuple[str, str]]:
    """(method, path) pairs, with the /api/v1 prefix dropped and parameter names erased."""
    found = set()
    for path, item in spec["paths"].items():
        bare = re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1"))
        found |= {(method.upper(), bare) for method in item if method != "parameters"}
    return found


def test_the_openapi_document_is_served_as_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.1")


ROUTES = {
    ("POST", "/users"),
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
    ("POST", "/auth/logout"),
    ("GET", "/users/me"),
    ("POST", "/users/me/password"),
    ("GET", "/users"),
    ("GET", "/users/{}"),
    ("PATCH", "/users/{}"),
    ("DELETE", "/users/{}"),
    ("GET", "/posts"),
    ("POST", "/posts"),
    ("GET", "/posts/{}"),
    ("PUT", "/posts/{}"),
    ("PATCH", "/posts/{}"),
    ("DELETE", "/posts/{}"),
    # The additions: profiles, follows, tags, favorites, comments, feed.
    ("GET", "/profiles/{}"),
    ("PUT", "/profiles/{}/follow"),
    ("DELETE", "/profiles/{}/follow"),
    ("GET", "/posts/by-slug/{}"),
    ("PUT", "/posts/{}/favorite"),
    ("DELETE", "/posts/{}/favorite"),
    ("GET", "/tags"),
    ("GET", "/posts/{}/comments"),
    ("POST", "/posts/{}/comments"),
    ("GET", "/comments/{}"),
    ("DELETE", "/comments/{}"),
    ("GET", "/feed"),
}


def test_the_openapi_document_describes_every_route(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert ROUTES - _documented(response.json) == set()


def test_the_docs_page_loads_nothing_from_outside_the_server(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"""@import\s+["'](https?:)?//""", page, re.IGNORECASE)


@pytest.fixture
def cors_client(container: Container) -> FlaskClient:
    container.config.cors_origins.from_value([ORIGIN])
    return create_app(container).test_client()


def test_an_allowed_origin_may_call_the_api(cors_client: FlaskClient) -> None:
    response = cors_client.get("/api/v1/posts", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == ORIGIN


def test_a_preflight_from_an_allowed_origin_is_answered(cors_client: FlaskClient) -> None:
    response = cors_client.options(
        "/api/v1/posts",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code < 300
    assert response.headers.get("Access-Control-Allow-Origin") == ORIGIN


def test_another_origin_is_not_allowed(cors_client: FlaskClient) -> None:
    response = cors_client.get("/api/v1/posts", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_applies_to_the_api_only(cors_client: FlaskClient) -> None:
    response = cors_client.get("/healthz", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
