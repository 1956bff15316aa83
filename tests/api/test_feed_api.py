"""The feed over HTTP: published posts by the authors the caller follows, paged as every list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.conftest import Write
from tests.api.helpers import PAGE_KEYS, POST_KEYS, assert_error
from tests.conftest import SignedIn
from tests.factories import FixedClock

FEED = "/api/v1/feed"


def _follow(client: FlaskClient, who: SignedIn, whom: SignedIn) -> None:
    url = f"/api/v1/profiles/{whom.user['username']}/follow"
    assert client.put(url, headers=who.headers).status_code == 200


def _ids(response: TestResponse) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_the_feed_holds_published_posts_by_followed_authors_newest_first(
    client: FlaskClient,
    auth: Callable[..., SignedIn],
    clock: FixedClock,
    user: SignedIn,
    write_post: Write,
) -> None:
    followed, also_followed, not_followed = auth(), auth(), auth()
    _follow(client, user, followed)
    _follow(client, user, also_followed)
    expected = []
    for author in (followed, not_followed, also_followed, followed):
        clock.advance(minutes=1)
        post = write_post(author)
        if author is not not_followed:
            expected.append(post["id"])
    write_post(followed, published=False)
    write_post(user)  # one's own posts are not in one's feed unless one follows oneself
    response = client.get(FEED, headers=user.headers)
    assert set(response.json) == PAGE_KEYS
    assert _ids(response) == expected[::-1]
    assert response.json["total"] == 3
    assert all(set(item) == POST_KEYS for item in response.json["items"])


def test_a_feed_is_empty_without_follows(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    write_post(other)
    response = client.get(FEED, headers=user.headers)
    assert (_ids(response), response.json["total"], response.json["next_cursor"]) == ([], 0, None)


def test_unfollowing_takes_an_author_s_posts_out_of_the_feed(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(other)
    _follow(client, user, other)
    assert _ids(client.get(FEED, headers=user.headers)) == [post["id"]]
    client.delete(f"/api/v1/profiles/{other.user['username']}/follow", headers=user.headers)
    assert _ids(client.get(FEED, headers=user.headers)) == []


def test_unfollowing_a_deactivated_author_takes_their_posts_out_of_the_feed(
    client: FlaskClient, user: SignedIn, other: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    """Their profile is missing (404), but the follow ends all the same."""
    post = write_post(other)
    _follow(client, user, other)
    deactivate = {"is_active": False}
    patched = client.patch(f"/api/v1/users/{other.user['id']}", json=deactivate,
                           headers=admin.headers)  # fmt: skip
    assert patched.status_code == 200, patched.json
    assert _ids(client.get(FEED, headers=user.headers)) == [post["id"]]
    url = f"/api/v1/profiles/{other.user['username']}/follow"
    assert_error(client.delete(url, headers=user.headers), 404, "not_found")
    assert _ids(client.get(FEED, headers=user.headers)) == []


def test_the_feed_shows_counts_and_favorited_for_the_caller(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(other, tags=["news"])
    _follow(client, user, other)
    client.put(f"/api/v1/posts/{post['id']}/favorite", headers=user.headers)
    (item,) = client.get(FEED, headers=user.headers).json["items"]
    assert (item["favorited"], item["favorites_count"], item["tags"]) == (True, 1, ["news"])


def test_the_feed_is_paged_by_number_and_by_cursor(
    client: FlaskClient, clock: FixedClock, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    _follow(client, user, other)
    ids = []
    for _ in range(5):
        clock.advance(minutes=1)
        ids.append(write_post(other)["id"])
    newest_first = ids[::-1]
    assert _ids(client.get(f"{FEED}?page=2&per_page=2", headers=user.headers)) == newest_first[2:4]
    seen, cursor = [], ""
    while True:
        response = client.get(f"{FEED}?per_page=2{cursor}", headers=user.headers)
        seen += _ids(response)
        if response.json["next_cursor"] is None:
            break
        assert response.json["page"] == 1
        cursor = f"&cursor={response.json['next_cursor']}"
    assert seen == newest_first


def test_a_feed_cursor_continues_after_its_item_even_when_newer_posts_arrive(
    client: FlaskClient, clock: FixedClock, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    _follow(client, user, other)
    ids = []
    for _ in range(3):
        clock.advance(minutes=1)
        ids.append(write_post(other)["id"])
    first = client.get(f"{FEED}?per_page=2", headers=user.headers).json
    clock.advance(minutes=1)
    write_post(other)
    rest = client.get(f"{FEED}?per_page=2&cursor={first['next_cursor']}", headers=user.headers)
    assert _ids(rest) == [ids[0]]


def test_the_feed_needs_an_access_token(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.get(FEED), 401, "not_authenticated")
    assert_error(client.get(FEED, headers=user.refresh_headers), 401, "token_invalid")


@pytest.mark.parametrize(
    "query",
    ["per_page=0", "per_page=101", "page=0", "page=abc", "cursor=forged", "tag=x", "page=1&page=2"],
)
def test_bad_paging_of_the_feed_is_a_validation_error(
    client: FlaskClient, user: SignedIn, query: str
) -> None:
    assert_error(client.get(f"{FEED}?{query}", headers=user.headers), 400, "validation_error")


def test_a_deleted_author_leaves_the_feed_with_their_follows(
    client: FlaskClient, admin: SignedIn, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    write_post(other)
    _follow(client, user, other)
    client.delete(f"/api/v1/users/{other.id}", headers=admin.headers)
    assert _ids(client.get(FEED, headers=user.headers)) == []
