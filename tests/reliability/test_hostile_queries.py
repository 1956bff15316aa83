"""Property: any query string to the list endpoints is a 200 or a 4xx JSON error (in-memory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import example, given

from domain.users import Role
from tests.conftest import SignedIn
from tests.reliability.hostile import (
    QUERY_NAMES,
    assert_handled,
    forged_cursor,
    hostile_settings,
    query_strings,
)

PROPERTY = hostile_settings(max_examples=150)

EXPLICIT = [
    "per_page=0", "per_page=101", "per_page=-1", "per_page=" + "9" * 400, "per_page=1e2",
    "page=0", "page=-5", "page=" + "9" * 30, "page=1000000001", "page=9223372036854775808",
    "author_id=18446744073709551616", "author_id=9223372036854775807", "author_id=0",
    "cursor=" + forged_cursor("2026-11-24T10:00:00+00:00", "99999999999999999999"),
    "cursor=" + forged_cursor("9999-12-31T23:59:59-14:00", "1"),
    "cursor=" + forged_cursor("0001-01-01T00:00:00+14:00", "1"),
    "cursor=" + forged_cursor("2026-11-24T10:00:00", "1"),
    "cursor=" + forged_cursor("2026-11-24T10:00:00+00:00", "-1"),
    "cursor=" + "A" * 10_000, "cursor=%00", "cursor=%ff%fe",
    "search=%00", "search=%ED%A0%80", "search=" + "s" * 10_000, "search=%25_%5C",
    "published=TRUE", "published=1", "published=", "published=true&published=false",
    "page=1&page=2", "unknown=1", "%ff=%ff",
    "tag=%00", "tag=", "tag=" + "t" * 41, "author=%00", "author=" + "a" * 41,
    "favorited_by=%ED%A0%80", "favorited_by=", "tag=a&author=b&favorited_by=c",
]  # fmt: skip

# path, who calls
LISTS = {
    "posts, anonymous": ("/api/v1/posts", None),
    "posts, as a user": ("/api/v1/posts", Role.USER),
    "posts, as an admin": ("/api/v1/posts", Role.ADMIN),
    "users, as an admin": ("/api/v1/users", Role.ADMIN),
    "feed": ("/api/v1/feed", Role.USER),
    "comments": ("/api/v1/posts/1/comments", Role.USER),
}


@pytest.mark.parametrize("listing", LISTS)
def test_any_query_string_gets_an_answer_never_a_server_error(
    client: FlaskClient, auth: Callable[..., SignedIn], listing: str
) -> None:
    path, role = LISTS[listing]
    headers: dict[str, Any] = {} if role is None else auth(role).headers
    if role is not None:  # something to list, so cursors and pages land on real rows
        for n in range(3):
            body = {"title": f"p{n}", "content": "c", "published": n % 2 == 0}
            assert client.post("/api/v1/posts", json=body, headers=headers).status_code == 201
            comment = {"body": f"comment {n}"}  # on the first post, published
            added = client.post("/api/v1/posts/1/comments", json=comment, headers=headers)
            assert added.status_code == 201, added.json

    def check(query: str) -> None:
        response = client.get(f"{path}?{query}", headers=headers)
        assert_handled(response, query)

    search = given(query=query_strings(QUERY_NAMES))(check)
    for query in EXPLICIT:
        search = example(query=query)(search)
    PROPERTY(search)()
