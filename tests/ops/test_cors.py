"""CORS from CORS_ORIGINS, for /api/* only, with the headers a browser client needs."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from interfaces.container import Container
from interfaces.http.app import create_app

ORIGIN = "https://app.example.com"


@pytest.fixture
def browser(container: Container) -> FlaskClient:
    container.config.from_dict({"cors_origins": [ORIGIN, "https://admin.example.com"]})
    return create_app(container).test_client()


def test_an_allowed_origin_gets_the_api_and_can_read_its_headers(browser: FlaskClient) -> None:
    response = browser.get("/api/v1/posts", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    exposed = {
        h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"x-request-id", "etag", "location", "retry-after"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_an_error_answer_is_readable_by_an_allowed_origin_too(browser: FlaskClient) -> None:
    response = browser.get("/api/v1/users/me", headers={"Origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_preflight_allows_the_token_and_precondition_headers(browser: FlaskClient) -> None:
    response = browser.options(
        "/api/v1/posts/1",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "if-match"} <= {h.strip() for h in allowed.split(",")}


@pytest.mark.parametrize(
    "path", ["/api/articles/Hello-World", "/api/profiles/John%20Doe", "/api/v1/posts/abc"]
)
def test_a_preflight_passes_where_no_route_takes_the_path_so_its_404_is_read(
    browser: FlaskClient, path: str
) -> None:
    """The browser asks before sending a token: a 404 there would be a network error to the
    front end, never the JSON 404 the request itself gets."""
    asking = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    asking["Access-Control-Request-Headers"] = "authorization"
    preflight = browser.options(path, headers=asking)
    assert preflight.status_code == 200 and preflight.data == b""
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    answer = browser.get(path, headers={"Origin": ORIGIN, "Authorization": "Bearer x"})
    assert answer.status_code == 404 and answer.is_json
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_plain_options_where_no_route_is_stays_404(browser: FlaskClient) -> None:
    """Not a preflight (no Access-Control-Request-Method): the path is simply not there."""
    response = browser.options("/api/articles/Hello-World", headers={"Origin": ORIGIN})
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs"])
def test_paths_outside_the_api_get_no_cors_headers(browser: FlaskClient, path: str) -> None:
    response = browser.get(path, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.com.evil.example"])
def test_an_origin_not_listed_gets_no_cors_headers(browser: FlaskClient, origin: str) -> None:
    response = browser.get("/api/v1/posts", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://[::1]:3000", True),
        ("HTTP://[::1]:3000", True),  # a scheme is read without regard to case
        # flask-cors read the listed string as a pattern (it holds `[`): these matched it.
        ("http://1:3000", False),
        ("http://::3000", False),
        ("http://[::1]:30000", False),
    ],
)
def test_an_ipv6_literal_origin_is_matched_as_itself_alone(
    container: Container, origin: str, allowed: bool
) -> None:
    container.config.from_dict({"cors_origins": ["http://[::1]:3000"]})
    response = create_app(container).test_client().get("/api/v1/posts", headers={"Origin": origin})
    assert ("Access-Control-Allow-Origin" in response.headers) is allowed


def test_a_request_without_an_origin_gets_no_list_of_allowed_origins(browser: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in browser.get("/api/v1/posts").headers


def test_without_cors_origins_no_origin_is_allowed(client: FlaskClient) -> None:
    response = client.get("/api/v1/posts", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origin", [ORIGIN, "https://evil.example", None])
def test_every_api_answer_varies_by_origin_even_with_one_origin_listed(
    container: Container, origin: str | None
) -> None:
    container.config.from_dict({"cors_origins": [ORIGIN]})
    client = create_app(container).test_client()
    headers = {} if origin is None else {"Origin": origin}
    for path in ("/api/v1/posts", "/api/articles", "/api/v1/users/me"):
        varies = client.get(path, headers=headers).headers.getlist("Vary")
        said = [v.strip() for line in varies for v in line.split(",")]
        assert said.count("Origin") == 1, (path, varies)  # once, whoever says it
    assert "Origin" not in client.get("/healthz", headers=headers).headers.get("Vary", "")
