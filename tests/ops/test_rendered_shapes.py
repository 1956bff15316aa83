"""What the app renders has exactly the keys its schema in the OpenAPI document lists.

Every object in an answer, nested ones too, is compared with the schema it is documented by:
no key the schema lacks, none it requires missing, and only its optional keys may be absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from domain.users import Role
from interfaces.http.openapi import document
from tests.conftest import SignedIn


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = document()["components"]["schemas"][name]
    return found


def resolved(spec: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in spec:
        return schema(spec["$ref"].rsplit("/", 1)[1])
    return spec


def check(spec: dict[str, Any], value: Any, where: str = "") -> None:
    """`value` has the keys `spec` documents, all the way down."""
    spec = resolved(spec)
    if value is None:
        return
    for variant in spec.get("anyOf", []):  # a nullable: the value is the other alternative
        if variant.get("type") != "null":
            check(variant, value, where)
    if isinstance(value, list):
        for index, item in enumerate(value):
            check(spec.get("items", {}), item, f"{where}[{index}]")
    if not isinstance(value, dict) or "properties" not in spec:
        return
    keys, properties = set(value), set(spec["properties"])
    assert set(spec["required"]) <= keys <= properties, (where, keys ^ properties)
    for key, item in value.items():
        check(spec["properties"][key], item, f"{where}.{key}")


def answered(response: Any, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.json
    check(schema(name), response.json, name)
    body: dict[str, Any] = response.json
    return body


def test_users_sessions_and_tokens_are_rendered_as_documented(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    new = {"email": "shape@example.com", "name": "Shape", "password": "Shape-Pass-1"}
    user = answered(client.post("/api/v1/users", json=new), 201, "User")
    assert set(user) == set(schema("User")["properties"])
    login = client.post(
        "/api/v1/auth/login", json={"email": new["email"], "password": "Shape-Pass-1"}
    )
    tokens = answered(login, 200, "LoginResult")
    assert set(tokens) == set(schema("LoginResult")["properties"])
    mine = {"Authorization": f"Bearer {tokens['access_token']}"}
    answered(client.get("/api/v1/users/me", headers=mine), 200, "User")
    other = auth()
    answered(client.get(f"/api/v1/users/{other.id}", headers=mine), 200, "PublicUser")
    refreshed = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    answered(client.post("/api/v1/auth/refresh", headers=refreshed), 200, "TokenPair")
    admin = auth(Role.ADMIN)
    page = answered(client.get("/api/v1/users", headers=admin.headers), 200, "UserPage")
    assert page["items"], "a page with users in it"
    answered(client.post("/api/v1/auth/logout", headers=mine), 200, "Message")


def test_posts_and_pages_of_posts_are_rendered_as_documented(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    author = auth()
    for published in (True, False):
        body = {"title": "Shaped", "content": "Text", "published": published}
        created = client.post("/api/v1/posts", json=body, headers=author.headers)
        post = answered(created, 201, "Post")
    assert set(post) == set(schema("Post")["properties"])
    answered(client.get(f"/api/v1/posts/{post['id']}", headers=author.headers), 200, "Post")
    page = answered(client.get("/api/v1/posts?search=Shape"), 200, "PostPage")
    assert page["items"], "a page with posts in it"
    drafts = client.get("/api/v1/posts?published=false&per_page=1", headers=author.headers)
    assert answered(drafts, 200, "PostPage")["items"]


def test_errors_and_the_operational_answers_are_rendered_as_documented(
    client: FlaskClient,
) -> None:
    answered(client.get("/api/v1/posts/12345"), 404, "NotFoundError")
    answered(client.post("/api/v1/posts", json={}), 401, "UnauthorizedError")
    answered(client.post("/api/v1/users", json={"name": 5}), 400, "ValidationError")
    answered(client.get("/api/v1/posts?page=0"), 400, "ValidationError")
    answered(client.get("/healthz"), 200, "Health")


def test_profiles_comments_tags_feeds_and_favorites_are_rendered_as_documented(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    author, reader = auth(), auth()
    me = {"bio": "Writes.", "image": "https://example.com/a.png"}
    changed = client.patch(f"/api/v1/users/{author.id}", json=me, headers=author.headers)
    answered(changed, 200, "User")
    username = author.user["username"]
    answered(client.get(f"/api/v1/profiles/{username}"), 200, "Profile")
    follow = f"/api/v1/profiles/{username}/follow"
    profile = answered(client.put(follow, headers=reader.headers), 200, "Profile")
    assert set(profile) == set(schema("Profile")["properties"])
    body = {"title": "Tagged", "content": "Text", "published": True, "tags": ["a", "b"]}
    post = answered(client.post("/api/v1/posts", json=body, headers=author.headers), 201, "Post")
    favorite = f"/api/v1/posts/{post['id']}/favorite"
    answered(client.put(favorite, headers=reader.headers), 200, "Post")
    answered(client.get(f"/api/v1/posts/by-slug/{post['slug']}"), 200, "Post")
    comments = f"/api/v1/posts/{post['id']}/comments"
    new = client.post(comments, json={"body": "Hi"}, headers=reader.headers)
    comment = answered(new, 201, "Comment")
    assert set(comment) == set(schema("Comment")["properties"])
    answered(client.get(f"/api/v1/comments/{comment['id']}"), 200, "Comment")
    assert answered(client.get(comments), 200, "CommentPage")["items"]
    assert answered(client.get("/api/v1/feed", headers=reader.headers), 200, "PostPage")["items"]
    query = f"tag=a&author={username}&favorited_by={reader.user['username']}"
    assert answered(client.get(f"/api/v1/posts?{query}"), 200, "PostPage")["items"]
    tags = answered(client.get("/api/v1/tags"), 200, "TagList")
    assert tags["tags"], "a list with tags in it"
    answered(client.delete(favorite, headers=reader.headers), 200, "Post")
    answered(client.delete(follow, headers=reader.headers), 200, "Profile")
    answered(client.put(f"/api/v1/profiles/{reader.user['username']}/follow",
                        headers=reader.headers), 400, "ValidationError")  # fmt: skip
    answered(client.get("/api/v1/profiles/nobody_here"), 404, "NotFoundError")
    taken = {"email": "x@example.com", "name": "X Person", "password": "X-Pass-123",
             "username": username}  # fmt: skip
    answered(client.post("/api/v1/users", json=taken), 409, "TakenError")
