"""Hostile text reaches PostgreSQL intact or not at all: NUL, lone surrogates, extremes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.users import Registration
from domain.users import Role
from interfaces.container import Container
from interfaces.http.cursors import CursorSeal
from tests.factories import PASSWORD
from tests.reliability.conftest import bearer, sign_up
from tests.reliability.hostile import assert_handled, forged_cursor

pytestmark = pytest.mark.postgres

# PostgreSQL text cannot hold NUL; UTF-8 cannot hold a lone surrogate; both parse from JSON.
SPOILERS = {"NUL": "\x00", "lone surrogate": "\ud800", "BOM and bidi": "\ufeff\u202e"}

# route, who, a valid body; each string field of it is spoiled in turn.
NEW_USER = {"email": "new@example.com", "name": "New", "password": PASSWORD}
SAME_PASSWORD = {"current_password": PASSWORD, "new_password": PASSWORD}
ROUTES: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("POST", "/api/v1/users", None, NEW_USER),
    ("POST", "/api/v1/auth/login", None, {"email": "writer@example.com", "password": PASSWORD}),
    ("POST", "/api/v1/users/me/password", "user", SAME_PASSWORD),
    ("PATCH", "/api/v1/users/{user}", "user", {"name": "Writer", "email": "writer@example.com"}),
    ("POST", "/api/v1/posts", "user", {"title": "t", "content": "c"}),
    ("PUT", "/api/v1/posts/{post}", "user", {"title": "t", "content": "c", "published": True}),
    ("PATCH", "/api/v1/posts/{post}", "user", {"title": "t", "content": "c"}),
    ("POST", "/api/v1/users", None, {**NEW_USER, "username": "new_user"}),
    ("PATCH", "/api/v1/users/{user}", "user",
     {"username": "writer", "bio": "b", "image": "https://example.com/i.png"}),
    ("POST", "/api/v1/posts", "user", {"title": "t", "content": "c", "summary": "s"}),
    ("PATCH", "/api/v1/posts/{post}", "user", {"summary": "s"}),
    ("POST", "/api/v1/posts/{post}/comments", "user", {"body": "b"}),
]  # fmt: skip
# Tags are a list of strings: the spoiled ones are sent among a good one.
TAGGED = [
    ("POST", "/api/v1/posts", {"title": "t", "content": "c"}),
    ("PATCH", "/api/v1/posts/{post}", {}),
    ("PUT", "/api/v1/posts/{post}", {"title": "t", "content": "c", "published": True}),
]


def spoiled_bodies() -> list[tuple[str, str, str, str | None, str]]:
    cases = []
    for method, path, who, body in ROUTES:
        for field, value in body.items():
            if not isinstance(value, str):
                continue
            for name, spoiler in SPOILERS.items():
                for where, spoilt in (
                    ("end", value + spoiler),
                    ("middle", value[:1] + spoiler + value[1:]),
                ):
                    text = json.dumps({**body, field: spoilt})  # ASCII: the spoiler as a \\u escape
                    cases.append(
                        (f"{method} {path} {field} {name} at {where}", method, path, who, text)
                    )
    return cases


@pytest.fixture
def writer(pg_app: Flask, pg_container: Container) -> dict[str, Any]:
    login = sign_up(pg_app, "writer@example.com", "Writer")
    post = pg_app.test_client().post(
        "/api/v1/posts",
        json={"title": "t", "content": "c", "published": True},
        headers=bearer(login["access_token"]),
    )
    assert post.status_code == 201
    pg_container.register_user()(
        Registration(email="boss@example.com", name="Boss", password=PASSWORD), role=Role.ADMIN
    )
    admin = pg_app.test_client().post(
        "/api/v1/auth/login", json={"email": "boss@example.com", "password": PASSWORD}
    )
    return {"login": login, "post": post.json["id"], "admin": admin.json["access_token"]}


def test_nul_and_lone_surrogates_in_any_body_field_never_cause_a_server_error(
    pg_app: Flask, writer: dict[str, Any]
) -> None:
    client: FlaskClient = pg_app.test_client()
    token = writer["login"]["access_token"]
    failures = {}
    for case, method, path, who, text in spoiled_bodies():
        url = path.format(user=writer["login"]["user"]["id"], post=writer["post"])
        headers = {"Content-Type": "application/json", **(bearer(token) if who else {})}
        response = client.open(url, method=method, data=text, headers=headers)
        unstorable = "NUL" in case or "surrogate" in case  # refused, never half-stored
        if response.status_code >= 500 or (unstorable and not 400 <= response.status_code < 500):
            failures[case] = response.status_code
    assert failures == {}, f"{len(failures)} wrong answers: {failures}"


def test_invisible_and_direction_characters_in_a_post_come_back_intact(
    pg_app: Flask, writer: dict[str, Any]
) -> None:
    client: FlaskClient = pg_app.test_client()
    headers = bearer(writer["login"]["access_token"])
    text = "a\ufeffb\u202ec\u200dd\U0001f600"
    body = {"title": f"t{text}", "content": f"c{text}", "summary": text}  # tags refuse them
    made = client.post("/api/v1/posts", json=body, headers=headers)
    assert made.status_code == 201, made.json
    read = client.get(f"/api/v1/posts/{made.json['id']}", headers=headers).json
    assert {key: read[key] for key in body} == body


def test_nul_and_lone_surrogates_in_tags_never_cause_a_server_error(
    pg_app: Flask, writer: dict[str, Any]
) -> None:
    client: FlaskClient = pg_app.test_client()
    headers = {"Content-Type": "application/json", **bearer(writer["login"]["access_token"])}
    failures = {}
    for method, path, body in TAGGED:
        for name, spoiler in SPOILERS.items():
            text = json.dumps({**body, "tags": ["ok", f"t{spoiler}", spoiler]})
            url = path.format(post=writer["post"])
            response = client.open(url, method=method, data=text, headers=headers)
            if response.status_code >= 500:
                failures[f"{method} {path} {name}"] = response.status_code
    assert failures == {}


def test_nul_and_lone_surrogates_in_search_never_cause_a_server_error(
    pg_app: Flask, writer: dict[str, Any]
) -> None:
    client = pg_app.test_client()
    failures = {}
    lists = [(path, "search") for path in ("/api/v1/posts", "/api/v1/users")] + [
        ("/api/v1/posts", name) for name in ("tag", "author", "favorited_by")
    ]
    for path, name in lists:
        for search in ("%00", "a%00b", "%ED%A0%80", "%ff", "%5C", "%25%5F"):
            response = client.get(f"{path}?{name}={search}", headers=bearer(writer["admin"]))
            if response.status_code >= 500:
                failures[f"{path}?{name}={search}"] = response.status_code
            else:
                assert_handled(response)
    assert failures == {}


def test_extreme_but_valid_paging_and_ids_reach_postgresql_without_error(
    pg_app: Flask, pg_container: Container, writer: dict[str, Any]
) -> None:
    client = pg_app.test_client()
    admin = bearer(writer["admin"])
    seal = CursorSeal(pg_container.config.secret_key())

    def edge(stamp: str, ident: str) -> str:
        """A position at the edge of what the API could issue, sealed as it would be."""
        return forged_cursor(stamp, ident, seal)

    ok = [
        "/api/v1/posts?page=1000000000&per_page=100",
        "/api/v1/posts?author_id=9223372036854775807",
        "/api/v1/posts?cursor=" + edge("9999-12-31T23:59:59+00:00", "9223372036854775807"),
        "/api/v1/posts?cursor=" + edge("0001-01-01T00:00:00+00:00", "1"),
        "/api/v1/users?page=1000000000&per_page=100",
        "/api/v1/feed?page=1000000000&per_page=100",
        "/api/v1/feed?cursor=" + edge("9999-12-31T23:59:59+00:00", "9223372036854775807"),
        f"/api/v1/posts/{writer['post']}/comments?page=1000000000&per_page=100",
        "/api/v1/posts?tag=" + "t" * 40 + "&author=" + "a" * 40 + "&favorited_by=" + "f" * 40,
    ]
    for url in ok:
        response = client.get(url, headers=admin)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:200])
    for resource, methods in (("posts", "GET PUT PATCH DELETE"), ("users", "GET PATCH DELETE")):
        for method in methods.split():
            response = client.open(
                f"/api/v1/{resource}/9223372036854775807",
                method=method,
                json={"title": "t", "content": "c", "published": True}
                if resource == "posts" and method in ("PUT", "PATCH")
                else {},  # a route that takes no body takes `{}` (docs/API.md's readings)
                headers=admin,
            )
            assert response.status_code == 404, (method, resource, response.status_code)
    for method, path in (
        ("PUT", "favorite"),
        ("DELETE", "favorite"),
        ("GET", "comments"),
        ("POST", "comments"),
    ):
        response = client.open(
            f"/api/v1/posts/9223372036854775807/{path}",
            method=method,
            json={"body": "b"} if path == "comments" and method == "POST" else None,
            headers=admin,
        )
        assert response.status_code == 404, (method, path, response.status_code)
    for method in ("GET", "DELETE"):
        response = client.open("/api/v1/comments/9223372036854775807", method=method, headers=admin)
        assert response.status_code == 404, (method, "comments", response.status_code)
