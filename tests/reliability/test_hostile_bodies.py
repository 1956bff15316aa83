"""Property: any body to any endpoint is answered, never with a 5xx (in-memory app)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.reliability.hostile import (
    MIB,
    assert_handled,
    bodies,
    encode,
    hostile_settings,
    strings,
)

PROPERTY = hostile_settings(max_examples=100)

# Many addresses, so the login throttle (5 failures per address) does not end the search early.
fresh_email = st.integers(min_value=0, max_value=10**9).map(lambda n: f"u{n}@example.com")
emails = strings(fresh_email, "A@EXAMPLE.COM", "x@y.z", "not-an-email")
passwords = strings(PASSWORD, "Other-Pass-77", "short", "N0-upper-case")
texts = strings("Ann Example", "A title", "Some content")
usernames = strings("ann_example", "Ann.Example-2", "ann example", "")
images = strings("https://example.com/a.png", "", "javascript:alert(1)", "http://[::1")
tag_lists = st.one_of(st.lists(strings("python", " spaced ", "a,b", ""), max_size=12), texts)

# method, path (filled from the fixtures), who calls, and the fields of the body.
ENDPOINTS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "register": (
        "POST", "/api/v1/users", "nobody",
        {"email": emails, "name": texts, "password": passwords},
    ),
    "register with a username": (
        "POST", "/api/v1/users", "nobody",
        {"email": emails, "name": texts, "password": passwords, "username": usernames},
    ),
    "log in": ("POST", "/api/v1/auth/login", "nobody", {"email": emails, "password": passwords}),
    "refresh": ("POST", "/api/v1/auth/refresh", "refresh", {}),
    "log out": ("POST", "/api/v1/auth/logout", "nobody", {}),
    "change password": (
        "POST", "/api/v1/users/me/password", "user",
        {"current_password": passwords, "new_password": passwords},
    ),
    "update self": (
        "PATCH", "/api/v1/users/{user}", "user",
        {"name": texts, "email": emails, "role": st.sampled_from(["user", "admin", "root"]),
         "is_active": st.booleans()},
    ),
    "update own profile": (
        "PATCH", "/api/v1/users/{user}", "user",
        {"username": usernames, "bio": texts, "image": images},
    ),
    "update user as admin": (
        "PATCH", "/api/v1/users/{user}", "admin",
        {"name": texts, "email": emails, "role": st.sampled_from(["user", "admin"]),
         "is_active": st.booleans()},
    ),
    "write post": (
        "POST", "/api/v1/posts", "user",
        {"title": texts, "content": texts, "published": st.booleans()},
    ),
    "replace post": (
        "PUT", "/api/v1/posts/{post}", "user",
        {"title": texts, "content": texts, "published": st.booleans()},
    ),
    "change post": (
        "PATCH", "/api/v1/posts/{post}", "user",
        {"title": texts, "content": texts, "published": st.booleans()},
    ),
    "write tagged post": (
        "POST", "/api/v1/posts", "user",
        {"title": texts, "content": texts, "summary": texts, "tags": tag_lists},
    ),
    "retag post": ("PATCH", "/api/v1/posts/{post}", "user", {"summary": texts, "tags": tag_lists}),
    "comment": ("POST", "/api/v1/posts/{post}/comments", "user", {"body": texts}),
}  # fmt: skip


# A valid value per field: explicit examples spoil one field at a time, the others stay valid,
# so the spoiled value is the one the server has to cope with.
PLAUSIBLE: dict[str, Any] = {
    "email": "someone@example.com",
    "name": "Ann Example",
    "password": PASSWORD,
    "current_password": PASSWORD,
    "new_password": PASSWORD,  # the same password again: the account stays usable
    "title": "A title",
    "content": "Some content",
    "role": "user",
    "is_active": True,
    "published": True,
    "username": "ann_example",
    "bio": "A bio",
    "image": "https://example.com/a.png",
    "summary": "A summary",
    "tags": ["python"],
    "body": "A comment",
}
SPOILERS = ["\ud800", "\x00", "\u202e\r\n", "w" * 300_000]


def explicit_bodies(fields: dict[str, Any]) -> list[str]:
    found = []
    for n, (name, spoiler) in enumerate(
        (name, spoiler)
        for name in fields
        for spoiler in SPOILERS
        if isinstance(PLAUSIBLE[name], str)
    ):
        body = {field: PLAUSIBLE[field] for field in fields}
        if "email" in body:
            body["email"] = f"explicit{n}@example.com"  # new each time: no 409 before hashing
        body[name] = f"{body[name]}{spoiler}"
        found.append(json.dumps(body))
    return found


def headers_for(who: str, world: dict[str, Any]) -> dict[str, str]:
    if who == "nobody":
        return {}
    if who == "refresh":
        return dict(world["user"].refresh_headers)
    return dict(world[who].headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_any_json_body_gets_an_answer_never_a_server_error(
    client: FlaskClient, world: dict[str, Any], endpoint: str
) -> None:
    method, path, who, fields = ENDPOINTS[endpoint]
    url = path.format(user=world["user"].id, post=world["post"])

    def check(body: str) -> None:
        response = client.open(
            url,
            method=method,
            data=encode(body),
            headers={**headers_for(who, world), "Content-Type": "application/json"},
        )
        assert_handled(response, body)
        if len(encode(body)) > MIB:
            assert response.status_code == 413

    search = given(body=bodies(fields))(check)
    for body in explicit_bodies(fields):
        search = example(body=body)(search)
    PROPERTY(search)()
