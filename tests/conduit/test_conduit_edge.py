"""Conduit's edge: RealWorld's error shape for bodies, routes and methods under /api (v1 keeps
its own), CORS with preflight, and the documents."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from interfaces.container import Container
from interfaces.http.app import MAX_BODY, create_app
from tests.conduit.conftest import Join

ORIGIN = "https://conduit.example.com"


@pytest.mark.parametrize("path", ["/api/users/no-such-thing", "/api/user/x", "/api/tags/x/y"])
def test_an_unknown_route_among_realworld_s_is_404_in_its_shape(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert (response.status_code, response.json) == (404, {"errors": {"route": ["not found"]}})


@pytest.mark.parametrize(
    ("method", "path", "subject"),
    [
        ("GET", "/api/articles/Hello-World", "article"),
        ("GET", "/api/articles/" + "a" * 81, "article"),
        ("POST", "/api/articles/Hello_World/favorite", "article"),
        ("GET", "/api/articles/Hello/comments", "article"),
        ("DELETE", "/api/articles/Hello/comments/1", "article"),
        ("DELETE", "/api/articles/hello/comments/abc", "comment"),
        ("DELETE", "/api/articles/hello/comments/0", "comment"),
        ("DELETE", f"/api/articles/hello/comments/{2**63}", "comment"),
        ("DELETE", "/api/articles/articles/comments/abc", "comment"),  # slugs like keywords
        ("DELETE", "/api/articles/comments/comments/abc", "comment"),
        ("DELETE", "/api/articles/profiles/comments/abc", "comment"),
        ("GET", "/api/profiles/J%C3%BCrgen", "profile"),
        ("POST", "/api/profiles/some%20user/follow", "profile"),
        ("GET", "/api/articles/Hello-World/", "article"),
        ("HEAD", "/api/articles/Hello-World", "article"),
        ("GET", "/api/articles/hello/likes", "route"),
        ("GET", "/api/profiles/jake/friends", "route"),
        ("POST", "/api/articles/Hello-World", "route"),  # no article is posted to
        ("GET", "/api/articles/hello/comments/abc", "route"),  # nor is a comment read
        ("POST", "/api/articles//favorite", "route"),  # an empty segment names nothing
        ("GET", "/api/articles/Hello//", "route"),
    ],
)
def test_a_path_naming_what_cannot_exist_is_404_of_that_resource(
    client: FlaskClient, join: Join, method: str, path: str, subject: str
) -> None:
    """RealWorld's 404 names the resource: a slug, id or username no route takes names one
    that cannot exist. Near namesakes exist (`hello`, `hello-world`, `jurgen`, `jake`), so
    the 404 is the path's, not a lookup that found nothing."""
    author = join(username="jurgen")
    join(username="jake")
    for title in ("Hello World", "Hello"):
        article = {"title": title, "description": "d", "body": "b"}
        made = client.post("/api/articles", json={"article": article}, headers=author.headers)
        assert made.status_code == 201
    response = client.open(path, method=method)
    assert response.status_code == 404
    if method != "HEAD":
        assert response.json == {"errors": {subject: ["not found"]}}


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/no-such-thing", "/api/v2/posts"])
def test_an_unknown_route_elsewhere_keeps_v1_s_shape(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_a_method_a_route_lacks_is_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/user")
    assert response.status_code == 405
    assert response.json == {"errors": {"method": ["is not allowed here"]}}
    assert {"GET", "PUT"} <= set(response.headers["Allow"].replace(" ", "").split(","))


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_the_feed_is_no_article_s_slug_so_only_its_methods_are_allowed(
    client: FlaskClient, method: str
) -> None:
    """`feed` is never given as a slug: the path is the feed's alone."""
    response = client.open("/api/articles/feed", method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_v1_s_405_is_unchanged(client: FlaskClient) -> None:
    response = client.put("/api/v1/users/me")
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    response = client.post("/api/users/login", data="email=a", content_type="text/plain")
    assert response.status_code == 415
    assert response.json == {"errors": {"request": ["must be sent as application/json"]}}


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "is not a JSON object"),
        ("NaN", "is not valid JSON"),
    ],
)
def test_a_body_that_is_no_json_object_is_400(client: FlaskClient, raw: str, text: str) -> None:
    response = client.post("/api/users/login", data=raw, content_type="application/json")
    assert (response.status_code, response.json) == (400, {"errors": {"request": [text]}})


def test_a_body_over_1_mib_is_413(client: FlaskClient) -> None:
    big = '{"user": {"email": "' + "a" * MAX_BODY + '"}}'
    response = client.post("/api/users/login", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.json == {"errors": {"request": ["is too large (at most 1 MiB)"]}}


def test_an_unexpected_error_is_500_without_its_insides(
    client: FlaskClient, container: Container
) -> None:
    class Broken:
        def with_user(self, token: str | None) -> None:
            raise RuntimeError("SELECT secret FROM somewhere")

    container.authenticate.override(Broken())
    response = client.get("/api/user", headers={"Authorization": "Token x"})
    container.authenticate.reset_override()
    assert (response.status_code, response.json) == (
        500,
        {"errors": {"server": ["had an unexpected error"]}},
    )


# CORS


@pytest.fixture
def browser(container: Container) -> FlaskClient:
    container.config.from_dict({"cors_origins": [ORIGIN], "password_rules": "length"})
    return create_app(container).test_client()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/user", "PUT"),
        ("/api/users", "POST"),
        ("/api/articles/a-slug", "DELETE"),
        ("/api/tags", "GET"),
    ],
)
def test_a_preflight_allows_the_token_and_json_for_realworld_s_methods(
    browser: FlaskClient, path: str, method: str
) -> None:
    response = browser.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    allowed_methods = set(
        response.headers["Access-Control-Allow-Methods"].replace(" ", "").split(",")
    )
    assert {"GET", "POST", "PUT", "DELETE"} <= allowed_methods
    allowed = {
        h.strip() for h in response.headers["Access-Control-Allow-Headers"].lower().split(",")
    }
    assert {"authorization", "content-type"} <= allowed


def test_an_answer_and_an_error_are_readable_by_an_allowed_origin(browser: FlaskClient) -> None:
    body = {"user": {"username": "ann", "email": "ann@example.com", "password": "password123"}}
    created = browser.post("/api/users", json=body, headers={"Origin": ORIGIN})
    refused = browser.get("/api/user", headers={"Origin": ORIGIN})
    for response in (created, refused):
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert refused.status_code == 401


def test_another_origin_gets_no_cors_headers(browser: FlaskClient) -> None:
    response = browser.get("/api/user", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_without_cors_origins_no_origin_is_allowed(client: FlaskClient) -> None:
    response = client.get("/api/user", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


# documents


def test_the_conduit_document_is_served_at_api_openapi_json(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json["openapi"] == "3.1.0"
    assert "/api/users/login" in response.json["paths"]


def test_docs_lists_both_documents_and_shows_conduit_s(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    assert 'href="/docs/conduit"' in page and 'href="/docs"' in page
    conduit = client.get("/docs/conduit")
    assert conduit.status_code == 200
    assert 'data-spec="/api/openapi.json"' in conduit.get_data(as_text=True)
    assert "script-src 'self'" in conduit.headers["Content-Security-Policy"]
