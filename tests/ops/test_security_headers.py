"""Security headers: nosniff everywhere, no-store on token and authenticated answers, CSP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from interfaces.http.docs import DOCS_CSP
from tests.conftest import SignedIn

API_CSP = "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/healthz"), ("get", "/api/v1/posts"), ("get", "/nowhere"), ("put", "/healthz")],
)
def test_every_answer_forbids_sniffing_framing_and_referrers(
    client: FlaskClient, method: str, path: str
) -> None:
    response = getattr(client, method)(path, headers={"X-Request-ID": "mine"})
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Content-Security-Policy") == [API_CSP]
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert response.headers.getlist("X-Request-ID") == ["mine"]  # once, the caller's own


def test_token_answers_are_not_stored(client: FlaskClient, auth: Callable[..., SignedIn]) -> None:
    ann = auth()
    login = client.post("/api/v1/auth/login", json={"email": ann.user["email"], "password": "x"})
    refreshed = client.post("/api/v1/auth/refresh", headers=ann.refresh_headers)
    for response in (login, refreshed):
        assert response.headers["Cache-Control"] == "no-store"


def test_authenticated_answers_are_not_stored_and_anonymous_ones_may_be(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    ann = auth()
    assert client.get("/api/v1/users/me", headers=ann.headers).headers["Cache-Control"] == (
        "no-store"
    )
    assert client.get("/api/v1/posts", headers=ann.headers).headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get("/api/v1/posts").headers


def test_the_docs_page_has_its_own_restrictive_policy(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.headers.getlist("Content-Security-Policy") == [DOCS_CSP]
    directives = dict(d.strip().split(" ", 1) for d in DOCS_CSP.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"


def test_a_view_s_own_cache_policy_gives_way_to_no_store_on_an_authenticated_request(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    asset = "/docs/assets/swagger-ui.css"
    assert "max-age=86400" in client.get(asset).headers["Cache-Control"]
    signed_in = client.get(asset, headers=auth().headers)
    assert signed_in.headers.getlist("Cache-Control") == ["no-store"]


def test_an_unexpected_error_still_carries_every_header(client: FlaskClient) -> None:
    app = client.application

    def boom() -> str:
        raise RuntimeError("kaboom")

    app.add_url_rule("/api/v1/boom", view_func=boom)
    response = app.test_client().get("/api/v1/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers.getlist("X-Request-ID") == ["boom-1"]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Content-Security-Policy") == [API_CSP]
