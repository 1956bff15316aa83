"""Posts over HTTP: writing, reading, listing, replacing, changing, deleting, and ETags."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import url_for
from flask.testing import FlaskClient

from domain.posts import Author
from infrastructure.memory import InMemoryUnitOfWork
from interfaces.http.cursors import CursorSeal
from tests.api.conftest import T0_TEXT, Write
from tests.api.helpers import PAGE_KEYS, POST_KEYS, assert_error, assert_field_error
from tests.conftest import SignedIn
from tests.factories import FixedClock, make_post

POSTS = "/api/v1/posts"


def _url(post: dict[str, Any]) -> str:
    return f"{POSTS}/{post['id']}"


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["items"]]


# Create


def test_writing_a_post_answers_201_with_the_post(client: FlaskClient, user: SignedIn) -> None:
    body = {"title": "Hello", "content": "First!", "published": True}
    response = client.post(POSTS, json=body, headers=user.headers)
    assert response.status_code == 201
    post = response.json
    assert set(post) == POST_KEYS
    assert (post["title"], post["content"], post["published"]) == ("Hello", "First!", True)
    assert post["published_at"] == T0_TEXT
    assert post["created_at"] == T0_TEXT
    assert post["updated_at"] == post["created_at"]
    assert isinstance(post["id"], int)


def test_the_author_of_a_new_post_is_the_caller(client: FlaskClient, user: SignedIn) -> None:
    post = client.post(POSTS, json={"title": "T", "content": "C"}, headers=user.headers).json
    assert post["author_id"] == user.id
    assert post["author"] == {
        "id": user.id,
        "name": user.user["name"],
        "username": user.user["username"],
    }


def test_a_new_post_points_location_at_itself(client: FlaskClient, user: SignedIn) -> None:
    response = client.post(POSTS, json={"title": "T", "content": "C"}, headers=user.headers)
    location = response.headers["Location"]
    assert location == f"{POSTS}/{response.json['id']}"
    assert client.get(location, headers=user.headers).json == response.json


def test_location_keeps_the_prefix_quill_is_mounted_under(
    client: FlaskClient, user: SignedIn
) -> None:
    mounted = {"SCRIPT_NAME": "/blog"}
    response = client.post(
        POSTS,
        json={"title": "T", "content": "C"},
        headers=user.headers,
        environ_overrides=mounted,
    )
    with client.application.test_request_context(environ_overrides=mounted):
        expected = url_for("posts.get_post", post_id=response.json["id"])
    assert response.headers["Location"] == expected == f"/blog{POSTS}/{response.json['id']}"


def test_a_new_post_carries_its_etag(client: FlaskClient, user: SignedIn) -> None:
    response = client.post(POSTS, json={"title": "T", "content": "C"}, headers=user.headers)
    assert response.headers["ETag"]
    again = client.get(_url(response.json), headers=user.headers)
    assert response.headers["ETag"] == again.headers["ETag"]


def test_a_new_post_is_a_draft_by_default(client: FlaskClient, user: SignedIn) -> None:
    post = client.post(POSTS, json={"title": "T", "content": "C"}, headers=user.headers).json
    assert post["published"] is False
    assert post["published_at"] is None


def test_an_author_id_in_the_body_is_a_validation_error(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    body = {"title": "T", "content": "C", "author_id": other.id}
    assert_field_error(client.post(POSTS, json=body, headers=user.headers), "author_id")


def test_writing_a_post_needs_a_token(client: FlaskClient) -> None:
    response = client.post(POSTS, json={"title": "T", "content": "C"})
    assert_error(response, 401, "not_authenticated")


BAD_POSTS = {
    "no title": ({"content": "C"}, "title"),
    "no content": ({"title": "T"}, "content"),
    "empty title": ({"title": "", "content": "C"}, "title"),
    "blank title": ({"title": "   ", "content": "C"}, "title"),
    "title over 200": ({"title": "x" * 201, "content": "C"}, "title"),
    "empty content": ({"title": "T", "content": ""}, "content"),
    "content over 100,000": ({"title": "T", "content": "x" * 100_001}, "content"),
}


def test_a_bad_post_is_a_validation_error_on_its_field(
    client: FlaskClient, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for case, (body, field) in BAD_POSTS.items():
        with subtests.test(case):
            assert_field_error(client.post(POSTS, json=body, headers=user.headers), field)


def test_the_longest_title_and_content_are_accepted(client: FlaskClient, user: SignedIn) -> None:
    body = {"title": "x" * 200, "content": "y" * 100_000}
    assert client.post(POSTS, json=body, headers=user.headers).status_code == 201


# Read


def test_anybody_reads_a_published_post_with_its_etag(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = client.get(_url(post))
    assert response.status_code == 200
    assert response.json == post
    assert response.headers["ETag"]


def test_an_unknown_post_is_not_found(client: FlaskClient) -> None:
    assert_error(client.get(f"{POSTS}/999999"), 404, "not_found")


def test_a_draft_is_not_found_for_an_anonymous_reader(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert_error(client.get(_url(draft)), 404, "not_found")


def test_a_draft_is_not_found_for_another_user(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert_error(client.get(_url(draft), headers=other.headers), 404, "not_found")


def test_a_draft_is_visible_to_its_author(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert client.get(_url(draft), headers=user.headers).json == draft


def test_a_draft_is_visible_to_an_admin(
    client: FlaskClient, user: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert client.get(_url(draft), headers=admin.headers).status_code == 200


# List


def test_the_list_is_a_page_of_published_posts(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    published = write_post(user)
    write_post(user, published=False)
    page = client.get(POSTS).json
    assert set(page) == PAGE_KEYS
    assert page["items"] == [published]
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (1, 1, 20, 1)
    assert page["next_cursor"] is None


def test_the_default_list_hides_drafts_even_from_their_author(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user, published=False)
    assert client.get(POSTS, headers=user.headers).json["items"] == []


def test_an_empty_list_is_an_empty_page(client: FlaskClient) -> None:
    page = client.get(POSTS).json
    assert page["items"] == []
    assert page["total"] == 0
    assert page["next_cursor"] is None


@pytest.fixture
def drafts(user: SignedIn, other: SignedIn, write_post: Write) -> dict[str, int]:
    write_post(user)
    return {
        "user": write_post(user, published=False)["id"],
        "other": write_post(other, published=False)["id"],
    }


def test_anonymous_callers_see_no_drafts(client: FlaskClient, drafts: dict[str, int]) -> None:
    page = client.get(f"{POSTS}?published=false").json
    assert page["items"] == []
    assert page["total"] == 0


def test_a_user_sees_only_their_own_drafts(
    client: FlaskClient, user: SignedIn, drafts: dict[str, int]
) -> None:
    page = client.get(f"{POSTS}?published=false", headers=user.headers).json
    assert _ids(page) == [drafts["user"]]
    assert all(item["published"] is False for item in page["items"])


def test_a_user_asking_for_someone_elses_drafts_gets_none(
    client: FlaskClient, user: SignedIn, other: SignedIn, drafts: dict[str, int]
) -> None:
    page = client.get(f"{POSTS}?published=false&author_id={other.id}", headers=user.headers).json
    assert page["items"] == []


def test_an_admin_sees_every_draft(
    client: FlaskClient, admin: SignedIn, drafts: dict[str, int]
) -> None:
    page = client.get(f"{POSTS}?published=false", headers=admin.headers).json
    assert sorted(_ids(page)) == sorted(drafts.values())


def test_published_true_lists_published_posts(
    client: FlaskClient, user: SignedIn, drafts: dict[str, int]
) -> None:
    page = client.get(f"{POSTS}?published=true", headers=user.headers).json
    assert [item["published"] for item in page["items"]] == [True]


def test_posts_are_filtered_by_author(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    write_post(user)
    theirs = write_post(other)
    page = client.get(f"{POSTS}?author_id={other.id}").json
    assert _ids(page) == [theirs["id"]]
    assert page["total"] == 1


def test_posts_of_an_unknown_author_are_an_empty_page(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user)
    assert client.get(f"{POSTS}?author_id=999999").json["items"] == []


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("abc", "Must be a whole number."),
        ("-1", "Must be a whole number."),
        ("9223372036854775808", "Must be at most 9223372036854775807."),  # past a BIGINT
        ("9" * 5000, "Must be a whole number."),  # more digits than any number is read from
    ],
)
def test_an_author_id_that_is_no_id_says_why(client: FlaskClient, given: str, said: str) -> None:
    response = client.get(f"{POSTS}?author_id={given}")
    assert_error(response, 400, "validation_error")
    assert response.json["errors"] == {"author_id": [said]}


def test_an_id_written_with_leading_zeros_is_the_id(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    page = client.get(f"{POSTS}?author_id={user.id:020d}").json
    assert _ids(page) == [post["id"]]


@pytest.mark.parametrize("per_page", ["0", "101", "9" * 19, "9" * 400])
def test_a_per_page_out_of_bounds_says_its_bounds_however_many_digits(
    client: FlaskClient, per_page: str
) -> None:
    response = client.get(f"{POSTS}?per_page={per_page}")
    assert response.json["errors"] == {"per_page": ["Must be a whole number from 1 to 100."]}


def test_posts_are_searched_in_title_and_content_without_regard_to_case(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    by_title = write_post(user, title="All About PYTHON")
    by_content = write_post(user, content="I like python a lot")
    write_post(user, title="Rust", content="Crabs")
    page = client.get(POSTS, query_string={"search": "Python"}).json
    assert sorted(_ids(page)) == sorted([by_title["id"], by_content["id"]])
    assert page["total"] == 2


def test_search_wildcards_are_plain_characters(
    client: FlaskClient, user: SignedIn, write_post: Write, subtests: pytest.Subtests
) -> None:
    titles = ["100% sure", "100 sure", "snake_case", "snakeXcase"]
    posts = {title: write_post(user, title=title, content="plain")["id"] for title in titles}
    for needle, wanted in [("%", "100% sure"), ("_", "snake_case")]:
        with subtests.test(needle=needle):
            page = client.get(POSTS, query_string={"search": needle}).json
            assert _ids(page) == [posts[wanted]]


def test_a_search_matching_more_than_a_thousand_posts_counts_to_a_thousand_and_says_so(
    client: FlaskClient, user: SignedIn, uow: InMemoryUnitOfWork
) -> None:
    author = Author(id=user.user["id"], name=user.user["name"])
    with uow:
        uow.posts.add_many(  # the bulk path stores slugs as given: each its own
            make_post(author, title="common", slug=f"common-{n}", published=True)
            for n in range(1001)
        )
        uow.commit()
    many = client.get(POSTS, query_string={"search": "common"}).json
    assert (many["total"], many["pages"], many["total_is_lower_bound"]) == (1000, 50, True)
    assert set(many) == PAGE_KEYS | {"total_is_lower_bound"}
    few = client.get(POSTS, query_string={"search": "absent"}).json
    unfiltered = client.get(POSTS).json
    assert set(few) == set(unfiltered) == PAGE_KEYS  # as old clients always saw it
    assert unfiltered["total"] == 1001


def test_posts_are_paged(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    ids = [write_post(user)["id"] for _ in range(5)]
    page = client.get(f"{POSTS}?page=2&per_page=2").json
    assert _ids(page) == sorted(ids, reverse=True)[2:4]
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (5, 2, 2, 3)


def test_a_post_page_past_the_end_is_empty(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user)
    page = client.get(f"{POSTS}?page=3&per_page=1").json
    assert page["items"] == []
    assert page["total"] == 1
    assert page["page"] == 3
    assert page["next_cursor"] is None


def test_posts_are_listed_newest_first_whatever_their_ids(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    clock.advance(minutes=2)
    newest = write_post(user)
    clock.advance(minutes=-1)
    middle = write_post(user)
    clock.advance(minutes=-1)
    oldest = write_post(user)
    assert _ids(client.get(POSTS).json) == [newest["id"], middle["id"], oldest["id"]]


def test_posts_written_at_the_same_moment_are_listed_by_id_descending(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    ids = [write_post(user)["id"] for _ in range(4)]
    assert _ids(client.get(POSTS).json) == sorted(ids, reverse=True)


def _walk(client: FlaskClient, per_page: int, **query: Any) -> list[int]:
    seen: list[int] = []
    page = client.get(POSTS, query_string={"per_page": per_page, **query}).json
    while True:
        seen += _ids(page)
        if page["next_cursor"] is None:
            return seen
        query_ = {"per_page": per_page, "cursor": page["next_cursor"], **query}
        page = client.get(POSTS, query_string=query_).json


def test_a_cursor_walk_returns_every_post_once_newest_first(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    for minutes in (0, 0, 1, 0, 3, -2, 0, 1):  # ties and out-of-order times on purpose
        clock.advance(minutes=minutes)
        write_post(user)
    expected = _ids(client.get(POSTS).json)
    walked = _walk(client, per_page=3)
    assert walked == expected
    assert len(set(walked)) == 8


def test_a_cursor_walk_keeps_the_filters(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    mine = [write_post(user)["id"] for _ in range(3)]
    for _ in range(3):
        write_post(other)
    assert _walk(client, per_page=2, author_id=user.id) == sorted(mine, reverse=True)


def test_a_cursor_continues_after_its_item_even_when_newer_posts_arrive(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    ids = [write_post(user)["id"] for _ in range(4)]
    first = client.get(f"{POSTS}?per_page=2").json
    clock.advance(minutes=1)
    write_post(user)
    second = client.get(POSTS, query_string={"per_page": 2, "cursor": first["next_cursor"]}).json
    assert _ids(first) + _ids(second) == sorted(ids, reverse=True)
    assert second["next_cursor"] is None


def test_the_last_full_page_has_no_next_cursor(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    for _ in range(2):
        write_post(user)
    assert client.get(f"{POSTS}?per_page=2").json["next_cursor"] is None


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_a_forged_cursor_is_a_validation_error(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for cursor in [
        "abc",
        "!!!",
        "",
        _b64("not a cursor"),
        _b64("2026-11-24T10:00:00+00:00|0"),
        _b64("2026-11-24T10:00:00+00:00|-5"),
        _b64("2026-11-24T10:00:00|5"),
        _b64("yesterday|5"),
        _b64(f"2026-11-24T10:00:00+00:00|{2**64}"),
        "A" * 500,
    ]:
        with subtests.test(cursor=cursor):
            response = client.get(POSTS, query_string={"cursor": cursor})
            assert_field_error(response, "cursor")


def test_a_cursor_not_issued_by_this_deployment_is_a_validation_error(
    client: FlaskClient, user: SignedIn, write_post: Write, subtests: pytest.Subtests
) -> None:
    for _ in range(3):
        write_post(user)
    issued = client.get(POSTS, query_string={"per_page": 1}).json["next_cursor"]
    position, _, seal = issued.rpartition(".")
    other = CursorSeal("another deployment's secret key, 32+ characters")
    altered = position[:-1] + ("A" if position[-1] != "A" else "B")
    for name, cursor in {
        "altered position": f"{altered}.{seal}",
        "altered seal": f"{position}.{seal[::-1]}",
        "no seal": position,
        "another deployment's": other.seal(position),
        "made up": CursorSeal("guessed").seal(_b64("2026-11-24T10:00:00+00:00|5")),
        "cut short": issued[:-1],
    }.items():
        with subtests.test(name):
            response = client.get(POSTS, query_string={"per_page": 1, "cursor": cursor})
            assert_field_error(response, "cursor")
    assert client.get(POSTS, query_string={"per_page": 1, "cursor": issued}).status_code == 200


# Replace (PUT)


def test_put_replaces_every_field(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    post = write_post(user, published=False)
    clock.advance(minutes=5)
    body = {"title": "New title", "content": "New content", "published": True}
    response = client.put(_url(post), json=body, headers=user.headers)
    assert response.status_code == 200
    changed = response.json
    assert (changed["title"], changed["content"], changed["published"]) == tuple(body.values())
    assert changed["published_at"] == "2026-11-24T10:05:00Z"
    assert changed["updated_at"] == "2026-11-24T10:05:00Z"
    assert changed["created_at"] == post["created_at"]
    assert client.get(_url(post)).json == changed


def test_put_needs_all_three_fields(
    client: FlaskClient, user: SignedIn, write_post: Write, subtests: pytest.Subtests
) -> None:
    for missing in ["title", "content", "published"]:
        with subtests.test(missing=missing):
            post = write_post(user)
            body = {"title": "New", "content": "New", "published": True}
            del body[missing]
            assert_field_error(client.put(_url(post), json=body, headers=user.headers), missing)
            assert client.get(_url(post)).json == post


def test_put_with_an_invalid_title_changes_nothing(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    body = {"title": " ", "content": "New", "published": True}
    assert_field_error(client.put(_url(post), json=body, headers=user.headers), "title")
    assert client.get(_url(post)).json == post


def test_put_on_someone_elses_post_is_forbidden(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    body = {"title": "Mine now", "content": "Mine", "published": True}
    assert_error(client.put(_url(post), json=body, headers=other.headers), 403, "forbidden")
    assert client.get(_url(post)).json == post


def test_put_on_someone_elses_draft_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    body = {"title": "Mine now", "content": "Mine", "published": True}
    assert_error(client.put(_url(draft), json=body, headers=other.headers), 404, "not_found")


def test_put_needs_a_token(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    post = write_post(user)
    body = {"title": "T", "content": "C", "published": True}
    assert_error(client.put(_url(post), json=body), 401, "not_authenticated")


def test_an_admin_may_replace_anybodys_post(
    client: FlaskClient, user: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    body = {"title": "Moderated", "content": "Moderated", "published": False}
    response = client.put(_url(post), json=body, headers=admin.headers)
    assert response.status_code == 200
    assert response.json["author_id"] == user.id


# Change (PATCH)


def test_patch_changes_only_the_given_fields(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, title="Old", content="Kept")
    response = client.patch(_url(post), json={"title": "New"}, headers=user.headers)
    assert response.status_code == 200
    assert (response.json["title"], response.json["content"]) == ("New", "Kept")
    assert response.json["published"] is True


def test_publishing_a_draft_stamps_published_at(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    draft = write_post(user, published=False)
    clock.advance(minutes=7)
    response = client.patch(_url(draft), json={"published": True}, headers=user.headers)
    assert response.json["published"] is True
    assert response.json["published_at"] == "2026-11-24T10:07:00Z"


def test_unpublishing_clears_published_at(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = client.patch(_url(post), json={"published": False}, headers=user.headers)
    assert response.json["published"] is False
    assert response.json["published_at"] is None


def test_an_unpublished_post_leaves_the_public_list(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    client.patch(_url(post), json={"published": False}, headers=user.headers)
    assert client.get(POSTS).json["items"] == []
    assert_error(client.get(_url(post)), 404, "not_found")


def test_an_empty_patch_changes_nothing(
    client: FlaskClient, user: SignedIn, write_post: Write, clock: FixedClock
) -> None:
    post = write_post(user)
    clock.advance(minutes=1)
    response = client.patch(_url(post), json={}, headers=user.headers)
    assert response.status_code == 200
    assert response.json == post
    response = client.patch(_url(post), data=b"", headers=user.headers)  # no bytes, no type
    assert (response.status_code, response.json) == (200, post)
    assert response.headers["ETag"] == client.get(_url(post)).headers["ETag"]


def test_patch_with_an_unknown_field_is_a_validation_error(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = client.patch(_url(post), json={"author_id": 1}, headers=user.headers)
    assert_field_error(response, "author_id")


def test_patch_on_someone_elses_post_is_forbidden(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = client.patch(_url(post), json={"title": "Defaced"}, headers=other.headers)
    assert_error(response, 403, "forbidden")
    assert client.get(_url(post)).json == post


def test_patch_on_someone_elses_draft_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    response = client.patch(_url(draft), json={"title": "Peek"}, headers=other.headers)
    assert_error(response, 404, "not_found")


def test_an_admin_may_change_anybodys_draft(
    client: FlaskClient, user: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    response = client.patch(_url(draft), json={"title": "Edited"}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json["title"] == "Edited"


# Delete


def test_the_author_deletes_a_post(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    post = write_post(user)
    response = client.delete(_url(post), headers=user.headers)
    assert response.status_code == 204
    assert response.data == b""
    assert_error(client.get(_url(post), headers=user.headers), 404, "not_found")


def test_deleting_someone_elses_post_is_forbidden(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    assert_error(client.delete(_url(post), headers=other.headers), 403, "forbidden")
    assert client.get(_url(post)).status_code == 200


def test_deleting_someone_elses_draft_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert_error(client.delete(_url(draft), headers=other.headers), 404, "not_found")
    assert client.get(_url(draft), headers=user.headers).status_code == 200


def test_deleting_an_unknown_post_is_not_found(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.delete(f"{POSTS}/999999", headers=user.headers), 404, "not_found")


def test_deleting_a_post_needs_a_token(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    assert_error(client.delete(_url(post)), 401, "not_authenticated")


def test_an_admin_may_delete_anybodys_post(
    client: FlaskClient, user: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    assert client.delete(_url(post), headers=admin.headers).status_code == 204


# ETag and If-Match


def _etag(client: FlaskClient, post: dict[str, Any], who: SignedIn) -> str:
    return client.get(_url(post), headers=who.headers).headers["ETag"]


def test_the_etag_changes_after_every_change(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    tags = [_etag(client, post, user)]
    for body in ({"title": "Two"}, {"content": "Three"}, {"published": False}):
        response = client.patch(_url(post), json=body, headers=user.headers)
        assert response.headers["ETag"] == _etag(client, post, user)
        tags.append(response.headers["ETag"])
    put = {"title": "Four", "content": "Four", "published": True}
    tags.append(client.put(_url(post), json=put, headers=user.headers).headers["ETag"])
    assert len(set(tags)) == len(tags)


def test_the_etag_differs_between_posts(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    first, second = write_post(user), write_post(user)
    assert _etag(client, first, user) != _etag(client, second, user)


def test_patch_with_the_current_etag_succeeds(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    headers = {**user.headers, "If-Match": _etag(client, post, user)}
    assert client.patch(_url(post), json={"title": "Fresh"}, headers=headers).status_code == 200


def test_patch_with_a_stale_etag_is_a_failed_precondition_and_changes_nothing(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    stale = _etag(client, post, user)
    client.patch(_url(post), json={"title": "Second"}, headers=user.headers)
    current = client.get(_url(post)).json
    headers = {**user.headers, "If-Match": stale}
    response = client.patch(_url(post), json={"title": "Lost update"}, headers=headers)
    assert_error(response, 412, "precondition_failed")
    assert client.get(_url(post)).json == current


def test_put_with_a_stale_etag_is_a_failed_precondition_and_changes_nothing(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    stale = _etag(client, post, user)
    client.patch(_url(post), json={"title": "Second"}, headers=user.headers)
    current = client.get(_url(post)).json
    body = {"title": "Lost", "content": "Lost", "published": False}
    response = client.put(_url(post), json=body, headers={**user.headers, "If-Match": stale})
    assert_error(response, 412, "precondition_failed")
    assert client.get(_url(post)).json == current


def test_delete_with_a_stale_etag_is_a_failed_precondition_and_keeps_the_post(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    stale = _etag(client, post, user)
    client.patch(_url(post), json={"title": "Second"}, headers=user.headers)
    response = client.delete(_url(post), headers={**user.headers, "If-Match": stale})
    assert_error(response, 412, "precondition_failed")
    assert client.get(_url(post)).status_code == 200


def test_delete_with_the_current_etag_succeeds(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    headers = {**user.headers, "If-Match": _etag(client, post, user)}
    assert client.delete(_url(post), headers=headers).status_code == 204


def test_an_if_match_of_star_matches_any_version(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    client.patch(_url(post), json={"title": "Second"}, headers=user.headers)
    headers = {**user.headers, "If-Match": "*"}
    assert client.patch(_url(post), json={"title": "Third"}, headers=headers).status_code == 200


def test_an_if_match_listing_the_current_etag_succeeds(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    headers = {**user.headers, "If-Match": f'"stale-1", {_etag(client, post, user)}'}
    assert client.patch(_url(post), json={"title": "Fresh"}, headers=headers).status_code == 200


def test_a_made_up_etag_is_a_failed_precondition(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    headers = {**user.headers, "If-Match": '"made-up"'}
    response = client.patch(_url(post), json={"title": "Nope"}, headers=headers)
    assert_error(response, 412, "precondition_failed")


def test_a_stale_etag_on_someone_elses_post_is_still_forbidden(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    headers = {**other.headers, "If-Match": '"made-up"'}
    response = client.patch(_url(post), json={"title": "Nope"}, headers=headers)
    assert_error(response, 403, "forbidden")
