"""Comments over HTTP: writing, listing, reading and deleting, with who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.conftest import T0_TEXT, Write
from tests.api.helpers import COMMENT_KEYS, PAGE_KEYS, assert_error, assert_field_error
from tests.conftest import SignedIn
from tests.factories import FixedClock

POSTS = "/api/v1/posts"
COMMENTS = "/api/v1/comments"


def _comments_of(post: dict[str, Any]) -> str:
    return f"{POSTS}/{post['id']}/comments"


def _comment(
    client: FlaskClient, who: SignedIn, post: dict[str, Any], body: str = "Nice post!"
) -> TestResponse:
    return client.post(_comments_of(post), json={"body": body}, headers=who.headers)


def _commented(
    client: FlaskClient, who: SignedIn, post: dict[str, Any], body: str = "Nice post!"
) -> dict[str, Any]:
    response = _comment(client, who, post, body)
    assert response.status_code == 201, response.json
    comment: dict[str, Any] = response.json
    return comment


# POST /posts/<id>/comments


def test_commenting_answers_201_with_the_comment_and_its_location(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = _comment(client, other, post, "Well said.")
    assert response.status_code == 201
    comment = response.json
    assert set(comment) == COMMENT_KEYS
    assert (comment["post_id"], comment["body"]) == (post["id"], "Well said.")
    assert comment["author"] == {
        "id": other.id,
        "name": other.user["name"],
        "username": other.user["username"],
    }
    assert comment["created_at"] == comment["updated_at"] == T0_TEXT
    assert response.headers["Location"] == f"{COMMENTS}/{comment['id']}"
    assert client.get(response.headers["Location"]).json == comment


def test_a_comment_counts_on_its_post_and_leaves_its_etag_and_updated_at(
    client: FlaskClient, clock: FixedClock, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    etag = client.get(f"{POSTS}/{post['id']}").headers["ETag"]
    clock.advance(minutes=1)
    _commented(client, other, post)
    _commented(client, user, post)
    after = client.get(f"{POSTS}/{post['id']}")
    assert after.json["comments_count"] == 2
    assert after.headers["ETag"] == etag
    assert after.json["updated_at"] == post["updated_at"]


def test_commenting_on_a_draft_one_cannot_see_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert_error(_comment(client, other, draft), 404, "not_found")
    assert _comment(client, user, draft).status_code == 201
    assert _comment(client, admin, draft).status_code == 201


def test_commenting_on_an_unknown_post_is_not_found(client: FlaskClient, user: SignedIn) -> None:
    assert_error(_comment(client, user, {"id": 999999}), 404, "not_found")


def test_commenting_needs_a_token(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    post = write_post(user)
    response = client.post(_comments_of(post), json={"body": "Hi"})
    assert_error(response, 401, "not_authenticated")


BAD_COMMENTS = {
    "no body": ({}, "body"),
    "empty body": ({"body": ""}, "body"),
    "body over 10,000": ({"body": "b" * 10_001}, "body"),
    "body not a string": ({"body": 5}, "body"),
    "body null": ({"body": None}, "body"),
    "body with a NUL": ({"body": "a\x00"}, "body"),
    "an unknown field": ({"body": "Hi", "author_id": 1}, "author_id"),
    "a post id": ({"body": "Hi", "post_id": 1}, "post_id"),
}


def test_a_bad_comment_is_a_validation_error_on_its_field(
    client: FlaskClient, user: SignedIn, write_post: Write, subtests: pytest.Subtests
) -> None:
    post = write_post(user)
    for case, (body, field) in BAD_COMMENTS.items():
        with subtests.test(case):
            response = client.post(_comments_of(post), json=body, headers=user.headers)
            assert_field_error(response, field)
    assert client.get(f"{POSTS}/{post['id']}").json["comments_count"] == 0


def test_the_longest_comment_is_accepted(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    assert _commented(client, user, write_post(user), "b" * 10_000)["body"] == "b" * 10_000


def test_a_comment_body_that_is_not_json_is_refused(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    url = _comments_of(write_post(user))
    response = client.post(url, data="body=Hi", headers=user.headers)
    assert_error(response, 415, "unsupported_media_type")
    response = client.post(url, data="[1]", content_type="application/json", headers=user.headers)
    assert_error(response, 400, "invalid_json")


# GET /posts/<id>/comments


def test_a_post_s_comments_are_a_page_newest_first(
    client: FlaskClient, clock: FixedClock, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    other_post = write_post(user)
    ids = []
    for n in range(3):
        clock.advance(minutes=1)
        ids.append(_commented(client, other, post, f"Comment {n}")["id"])
    _commented(client, other, other_post)
    response = client.get(_comments_of(post))
    assert response.status_code == 200
    page = response.json
    assert set(page) == PAGE_KEYS
    assert [c["id"] for c in page["items"]] == ids[::-1]
    assert (page["total"], page["page"], page["pages"], page["next_cursor"]) == (3, 1, 1, None)
    assert all(set(c) == COMMENT_KEYS for c in page["items"])


def test_comments_in_the_same_instant_are_ordered_by_id_descending(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    ids = [_commented(client, user, post)["id"] for _ in range(3)]
    assert [c["id"] for c in client.get(_comments_of(post)).json["items"]] == ids[::-1]


def test_comments_are_paged_by_number_and_by_cursor(
    client: FlaskClient, clock: FixedClock, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    ids = []
    for _ in range(5):
        clock.advance(seconds=1)
        ids.append(_commented(client, user, post)["id"])
    newest_first = ids[::-1]
    second = client.get(f"{_comments_of(post)}?page=2&per_page=2").json
    assert [c["id"] for c in second["items"]] == newest_first[2:4]
    assert second["pages"] == 3
    seen, cursor = [], ""
    while True:
        page = client.get(f"{_comments_of(post)}?per_page=2{cursor}").json
        seen += [c["id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == newest_first


@pytest.mark.parametrize(
    "query", ["per_page=0", "per_page=101", "page=0", "page=x", "cursor=forged", "search=a"]
)
def test_bad_paging_of_comments_is_a_validation_error(
    client: FlaskClient, user: SignedIn, write_post: Write, query: str
) -> None:
    response = client.get(f"{_comments_of(write_post(user))}?{query}")
    assert_error(response, 400, "validation_error")


def test_the_comments_of_a_draft_are_seen_by_whoever_sees_the_draft(
    client: FlaskClient, user: SignedIn, other: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    _commented(client, user, draft)
    assert client.get(_comments_of(draft), headers=user.headers).json["total"] == 1
    assert client.get(_comments_of(draft), headers=admin.headers).json["total"] == 1
    assert_error(client.get(_comments_of(draft), headers=other.headers), 404, "not_found")
    assert_error(client.get(_comments_of(draft)), 404, "not_found")


def test_the_comments_of_an_unknown_post_are_not_found(client: FlaskClient) -> None:
    assert_error(client.get(f"{POSTS}/999999/comments"), 404, "not_found")


def test_a_comment_shows_its_author_as_they_are_now(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    comment = _commented(client, other, write_post(user))
    body = {"name": "Renamed Person", "username": "renamed"}
    client.patch(f"/api/v1/users/{other.id}", json=body, headers=other.headers)
    author = client.get(f"{COMMENTS}/{comment['id']}").json["author"]
    assert (author["name"], author["username"]) == ("Renamed Person", "renamed")


# GET /comments/<id>


def test_anybody_reads_a_comment_on_a_published_post(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    comment = _commented(client, user, write_post(user))
    response = client.get(f"{COMMENTS}/{comment['id']}")
    assert response.status_code == 200
    assert response.json == comment


def test_a_comment_on_a_draft_one_cannot_see_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    comment = _commented(client, user, write_post(user, published=False))
    url = f"{COMMENTS}/{comment['id']}"
    assert client.get(url, headers=user.headers).status_code == 200
    assert_error(client.get(url, headers=other.headers), 404, "not_found")
    assert_error(client.get(url), 404, "not_found")


@pytest.mark.parametrize("ident", ["999999", "0", "-1", "abc", "9223372036854775808"])
def test_an_unknown_or_impossible_comment_id_is_not_found(
    client: FlaskClient, user: SignedIn, ident: str
) -> None:
    assert_error(client.get(f"{COMMENTS}/{ident}"), 404, "not_found")
    assert_error(client.delete(f"{COMMENTS}/{ident}", headers=user.headers), 404, "not_found")


# DELETE /comments/<id>


@pytest.fixture
def thread(client: FlaskClient, auth: Callable[..., SignedIn], write_post: Write) -> dict[str, Any]:
    """A post by `author`, commented on by `commenter`; `stranger` is neither."""
    author, commenter, stranger = auth(), auth(), auth()
    post = write_post(author)
    comment = _commented(client, commenter, post)
    return {
        "author": author,
        "commenter": commenter,
        "stranger": stranger,
        "post": post,
        "url": f"{COMMENTS}/{comment['id']}",
    }


def test_the_comment_s_author_deletes_it(client: FlaskClient, thread: dict[str, Any]) -> None:
    response = client.delete(thread["url"], headers=thread["commenter"].headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(client.get(thread["url"]), 404, "not_found")
    assert client.get(f"{POSTS}/{thread['post']['id']}").json["comments_count"] == 0


def test_the_post_s_author_deletes_a_comment_on_it(
    client: FlaskClient, thread: dict[str, Any]
) -> None:
    assert client.delete(thread["url"], headers=thread["author"].headers).status_code == 204


def test_an_admin_deletes_any_comment(
    client: FlaskClient, admin: SignedIn, thread: dict[str, Any]
) -> None:
    assert client.delete(thread["url"], headers=admin.headers).status_code == 204


def test_anybody_else_is_forbidden_to_delete_a_comment(
    client: FlaskClient, thread: dict[str, Any]
) -> None:
    assert_error(client.delete(thread["url"], headers=thread["stranger"].headers), 403, "forbidden")
    assert client.get(thread["url"]).status_code == 200


def test_deleting_a_comment_needs_a_token(client: FlaskClient, thread: dict[str, Any]) -> None:
    assert_error(client.delete(thread["url"]), 401, "not_authenticated")


def test_deleting_a_deleted_comment_is_not_found(
    client: FlaskClient, thread: dict[str, Any]
) -> None:
    client.delete(thread["url"], headers=thread["commenter"].headers)
    response = client.delete(thread["url"], headers=thread["commenter"].headers)
    assert_error(response, 404, "not_found")


def test_a_comment_on_a_post_that_became_a_draft_is_not_found_to_its_own_author(
    client: FlaskClient, thread: dict[str, Any]
) -> None:
    """Its commenter can no longer see the post, so the comment is hidden from them too."""
    post_url = f"{POSTS}/{thread['post']['id']}"
    client.patch(post_url, json={"published": False}, headers=thread["author"].headers)
    response = client.delete(thread["url"], headers=thread["commenter"].headers)
    assert_error(response, 404, "not_found")
    assert client.delete(thread["url"], headers=thread["author"].headers).status_code == 204


def test_deleting_a_post_deletes_its_comments(client: FlaskClient, thread: dict[str, Any]) -> None:
    client.delete(f"{POSTS}/{thread['post']['id']}", headers=thread["author"].headers)
    assert_error(client.get(thread["url"]), 404, "not_found")


def test_deleting_a_user_deletes_their_comments(
    client: FlaskClient, admin: SignedIn, thread: dict[str, Any]
) -> None:
    client.delete(f"/api/v1/users/{thread['commenter'].id}", headers=admin.headers)
    assert_error(client.get(thread["url"]), 404, "not_found")
    assert client.get(f"{POSTS}/{thread['post']['id']}").json["comments_count"] == 0
