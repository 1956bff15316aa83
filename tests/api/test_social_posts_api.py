"""Posts' slugs, summaries and tags; reading by slug; favorites; filters; the tags in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.conftest import Write
from tests.api.helpers import POST_KEYS, assert_error, assert_field_error
from tests.conftest import SignedIn
from tests.factories import FixedClock

POSTS = "/api/v1/posts"


def _url(post: dict[str, Any]) -> str:
    return f"{POSTS}/{post['id']}"


def _ids(response: TestResponse) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def _favorite(client: FlaskClient, who: SignedIn, post: dict[str, Any]) -> TestResponse:
    return client.put(f"{_url(post)}/favorite", headers=who.headers)


def _unfavorite(client: FlaskClient, who: SignedIn, post: dict[str, Any]) -> TestResponse:
    return client.delete(f"{_url(post)}/favorite", headers=who.headers)


# Slugs, summaries and tags on the post


def test_a_new_post_has_a_slug_an_empty_summary_no_tags_and_no_favorites(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, title="Hello, World!")
    assert set(post) == POST_KEYS
    assert post["slug"] == "hello-world"
    assert (post["summary"], post["tags"]) == ("", [])
    assert (post["favorites_count"], post["comments_count"], post["favorited"]) == (0, 0, False)
    assert post["author"]["username"] == user.user["username"]


def test_a_second_post_with_the_same_title_gets_the_next_slug(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    slugs = [write_post(who, title="Same Title").get("slug") for who in (user, other, user)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_a_title_with_nothing_left_in_ascii_gets_the_slug_post(
    user: SignedIn, write_post: Write
) -> None:
    assert write_post(user, title="¿¡!?")["slug"] == "post"


def test_the_slug_stays_when_the_title_changes(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, title="First title")
    changed = client.patch(_url(post), json={"title": "Second title"}, headers=user.headers)
    assert changed.json["slug"] == "first-title"


def test_a_post_is_written_with_a_summary_and_tags_in_the_order_given(
    user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, summary="In short.", tags=["zeta", " alpha ", "zeta", "Mid"])
    assert post["summary"] == "In short."
    assert post["tags"] == ["zeta", "alpha", "Mid"]  # trimmed, a repeat dropped


def test_patch_changes_summary_and_tags_alone(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, summary="Old", tags=["a"])
    response = client.patch(_url(post), json={"tags": ["b", "c"]}, headers=user.headers)
    assert response.status_code == 200
    assert (response.json["summary"], response.json["tags"]) == ("Old", ["b", "c"])
    response = client.patch(_url(post), json={"summary": "", "tags": []}, headers=user.headers)
    assert (response.json["summary"], response.json["tags"]) == ("", [])


def test_put_leaves_summary_and_tags_when_absent_and_replaces_them_when_given(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, summary="Kept", tags=["kept"])
    body = {"title": "New", "content": "New content", "published": True}
    response = client.put(_url(post), json=body, headers=user.headers)
    assert response.status_code == 200
    assert (response.json["summary"], response.json["tags"]) == ("Kept", ["kept"])
    body = {**body, "summary": "Replaced", "tags": ["x"]}
    response = client.put(_url(post), json=body, headers=user.headers)
    assert (response.json["summary"], response.json["tags"]) == ("Replaced", ["x"])


def test_changing_the_tags_changes_the_etag(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, tags=["a"])
    before = client.get(_url(post)).headers["ETag"]
    client.patch(_url(post), json={"tags": ["b"]}, headers=user.headers)
    assert client.get(_url(post)).headers["ETag"] != before


BAD_SOCIAL_POSTS = {
    "tags not a list": ({"tags": "a,b"}, "tags"),
    "tags an object": ({"tags": {"a": 1}}, "tags"),
    "a tag not a string": ({"tags": ["a", 5]}, "tags"),
    "a tag null": ({"tags": ["a", None]}, "tags"),
    "a tag a list": ({"tags": [["a"]]}, "tags"),
    "an empty tag": ({"tags": [""]}, "tags"),
    "a blank tag": ({"tags": ["   "]}, "tags"),
    "a tag over 40": ({"tags": ["t" * 41]}, "tags"),
    "a tag with a comma": ({"tags": ["a,b"]}, "tags"),
    "a tag with a NUL": ({"tags": ["a\x00"]}, "tags"),
    "eleven tags": ({"tags": [f"t{n}" for n in range(11)]}, "tags"),
    "tags null": ({"tags": None}, "tags"),
    "summary over 300": ({"summary": "s" * 301}, "summary"),
    "summary not a string": ({"summary": 3}, "summary"),
    "summary null": ({"summary": None}, "summary"),
    "a slug": ({"slug": "my-slug"}, "slug"),
    "counts": ({"favorites_count": 9}, "favorites_count"),
}


def test_bad_summaries_tags_and_read_only_fields_are_validation_errors(
    client: FlaskClient, user: SignedIn, write_post: Write, subtests: pytest.Subtests
) -> None:
    post = write_post(user)
    for case, (extra, field) in BAD_SOCIAL_POSTS.items():
        with subtests.test(case):
            body = {"title": "T", "content": "C", "published": True, **extra}
            assert_field_error(client.post(POSTS, json=body, headers=user.headers), field)
            assert_field_error(client.put(_url(post), json=body, headers=user.headers), field)
            assert_field_error(client.patch(_url(post), json=extra, headers=user.headers), field)


def test_ten_distinct_tags_and_the_longest_summary_and_tag_are_accepted(
    user: SignedIn, write_post: Write
) -> None:
    tags = ["t" * 40] + [f"t{n}" for n in range(9)] + ["t0"]  # a repeat does not count
    post = write_post(user, tags=tags, summary="s" * 300)
    assert len(post["tags"]) == 10


# GET /posts/by-slug/<slug>


def test_a_post_is_read_by_its_slug_with_the_same_etag(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, title="Read me by slug")
    by_id = client.get(_url(post))
    by_slug = client.get(f"{POSTS}/by-slug/read-me-by-slug")
    assert by_slug.status_code == 200
    assert by_slug.json == by_id.json == post
    assert by_slug.headers["ETag"] == by_id.headers["ETag"]


def test_a_draft_by_slug_is_seen_by_its_author_and_admins_only(
    client: FlaskClient, user: SignedIn, other: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    write_post(user, title="Secret draft", published=False)
    url = f"{POSTS}/by-slug/secret-draft"
    assert client.get(url, headers=user.headers).status_code == 200
    assert client.get(url, headers=admin.headers).status_code == 200
    assert_error(client.get(url, headers=other.headers), 404, "not_found")
    assert_error(client.get(url), 404, "not_found")


def test_an_unknown_slug_is_not_found(client: FlaskClient) -> None:
    assert_error(client.get(f"{POSTS}/by-slug/no-such-post"), 404, "not_found")


@pytest.mark.parametrize("slug", ["Hello-World", "a%00", "hello%20world", "s" * 81, "caf%C3%A9"])
def test_a_path_that_cannot_be_a_slug_is_not_found(
    client: FlaskClient, user: SignedIn, write_post: Write, slug: str
) -> None:
    write_post(user, title="Hello World")
    assert_error(client.get(f"{POSTS}/by-slug/{slug}"), 404, "not_found")


def test_favorited_by_slug_is_the_caller_s(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user, title="Liked")
    _favorite(client, other, post)
    assert client.get(f"{POSTS}/by-slug/liked", headers=other.headers).json["favorited"] is True
    assert client.get(f"{POSTS}/by-slug/liked", headers=user.headers).json["favorited"] is False


# PUT/DELETE /posts/<id>/favorite


def test_favoriting_answers_the_post_with_its_count_and_favorited(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = _favorite(client, other, post)
    assert response.status_code == 200
    assert set(response.json) == POST_KEYS
    assert (response.json["favorites_count"], response.json["favorited"]) == (1, True)


def test_favoriting_twice_counts_once(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    _favorite(client, other, post)
    again = _favorite(client, other, post)
    assert again.status_code == 200
    assert (again.json["favorites_count"], again.json["favorited"]) == (1, True)


def test_favorites_of_several_users_add_up_and_favorited_is_per_caller(
    client: FlaskClient, auth: Callable[..., SignedIn], user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    fans = [auth() for _ in range(3)]
    for fan in fans:
        _favorite(client, fan, post)
    assert client.get(_url(post)).json["favorites_count"] == 3
    assert client.get(_url(post)).json["favorited"] is False  # anonymous
    assert client.get(_url(post), headers=fans[0].headers).json["favorited"] is True
    assert client.get(_url(post), headers=user.headers).json["favorited"] is False
    listed = client.get(POSTS, headers=fans[1].headers).json["items"]
    assert [(p["id"], p["favorited"], p["favorites_count"]) for p in listed] == [
        (post["id"], True, 3)
    ]


def test_unfavoriting_is_idempotent(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    _favorite(client, other, post)
    for _ in range(2):
        response = _unfavorite(client, other, post)
        assert response.status_code == 200
        assert (response.json["favorites_count"], response.json["favorited"]) == (0, False)


def test_an_author_may_favorite_their_own_post(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    assert _favorite(client, user, post).json["favorited"] is True


def test_favorites_change_neither_the_etag_nor_updated_at(
    client: FlaskClient, clock: FixedClock, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    before = client.get(_url(post))
    clock.advance(minutes=5)
    favorited = _favorite(client, other, post)
    assert favorited.headers["ETag"] == before.headers["ETag"]
    assert favorited.json["updated_at"] == post["updated_at"]
    _unfavorite(client, other, post)
    assert client.get(_url(post)).headers["ETag"] == before.headers["ETag"]
    # So an If-Match read before the favorite still applies.
    response = client.patch(
        _url(post),
        json={"title": "Edited"},
        headers={**user.headers, "If-Match": before.headers["ETag"]},
    )
    assert response.status_code == 200


def test_renaming_the_author_keeps_the_etag_so_a_held_if_match_still_applies(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    before = client.get(_url(post)).headers["ETag"]
    rename = {"name": "Renamed Author", "username": "renamed.author"}
    assert (
        client.patch(f"/api/v1/users/{user.id}", json=rename, headers=user.headers).status_code
        == 200
    )
    shown = client.get(_url(post))
    assert shown.json["author"]["username"] == "renamed.author"
    assert shown.headers["ETag"] == before  # the post was not edited: only its version counts
    response = client.patch(
        _url(post), json={"title": "Edited"}, headers={**user.headers, "If-Match": before}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != before


def test_favoriting_a_draft_one_cannot_see_is_not_found(
    client: FlaskClient, user: SignedIn, other: SignedIn, admin: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False)
    assert_error(_favorite(client, other, draft), 404, "not_found")
    assert_error(_unfavorite(client, other, draft), 404, "not_found")
    assert _favorite(client, admin, draft).status_code == 200


def test_favoriting_an_unknown_post_is_not_found(client: FlaskClient, user: SignedIn) -> None:
    assert_error(_favorite(client, user, {"id": 999999}), 404, "not_found")


def test_favoriting_needs_a_token(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    post = write_post(user)
    assert_error(client.put(f"{_url(post)}/favorite"), 401, "not_authenticated")
    assert_error(client.delete(f"{_url(post)}/favorite"), 401, "not_authenticated")


def test_deleting_a_post_deletes_its_favorites(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    _favorite(client, other, post)
    client.delete(_url(post), headers=user.headers)
    favorited = client.get(f"{POSTS}?favorited_by={other.user['username']}")
    assert _ids(favorited) == []


# GET /posts?tag=&author=&favorited_by=


def test_posts_are_filtered_by_tag(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    flask_post = write_post(user, tags=["python", "flask"])
    python_post = write_post(user, tags=["python"])
    write_post(user, tags=["rust"])
    assert _ids(client.get(f"{POSTS}?tag=python")) == [python_post["id"], flask_post["id"]]
    assert _ids(client.get(f"{POSTS}?tag=flask")) == [flask_post["id"]]
    assert _ids(client.get(f"{POSTS}?tag=nothing")) == []


def test_a_tag_typed_with_its_accent_apart_is_the_same_tag_everywhere(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    first = write_post(user, tags=[decomposed])
    second = write_post(user, tags=[composed, decomposed])
    assert (first["tags"], second["tags"]) == ([composed], [composed])
    for typed in (composed, decomposed, f"%20{decomposed}"):
        assert _ids(client.get(f"{POSTS}?tag={typed}")) == [second["id"], first["id"]]
    assert client.get("/api/v1/tags").json["tags"] == [{"name": composed, "posts": 2}]


def test_posts_are_filtered_by_author_username_in_any_case(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    mine = write_post(user)
    write_post(other)
    username = user.user["username"].upper()
    response = client.get(f"{POSTS}?author={username}")
    assert _ids(response) == [mine["id"]]
    assert response.json["total"] == 1


def test_posts_are_filtered_by_who_favorited_them(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    liked = write_post(user)
    write_post(user)
    _favorite(client, other, liked)
    assert _ids(client.get(f"{POSTS}?favorited_by={other.user['username']}")) == [liked["id"]]
    assert _ids(client.get(f"{POSTS}?favorited_by={user.user['username']}")) == []


def test_an_unknown_username_in_a_filter_gives_an_empty_page(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user)
    for name in ("author", "favorited_by"):
        response = client.get(f"{POSTS}?{name}=nobody_at_all")
        assert response.status_code == 200
        assert (response.json["items"], response.json["total"]) == ([], 0)


def test_the_filters_combine_with_each_other_and_with_the_old_ones(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    wanted = write_post(user, title="Needle here", tags=["t"])
    write_post(user, title="Needle too", tags=["u"])
    write_post(other, title="Needle there", tags=["t"])
    write_post(user, title="Hay", tags=["t"])
    for post in client.get(POSTS).json["items"]:
        _favorite(client, other, post)
    query = f"tag=t&author={user.user['username']}&favorited_by={other.user['username']}"
    assert _ids(client.get(f"{POSTS}?{query}&search=needle")) == [wanted["id"]]
    assert _ids(client.get(f"{POSTS}?{query}&search=needle&author_id={user.id}")) == [wanted["id"]]
    assert _ids(client.get(f"{POSTS}?{query}&author_id={other.id}")) == []


def test_drafts_by_author_follow_the_draft_rules(
    client: FlaskClient, user: SignedIn, other: SignedIn, write_post: Write
) -> None:
    draft = write_post(user, published=False, tags=["t"])
    query = f"{POSTS}?published=false&author={user.user['username']}&tag=t"
    assert _ids(client.get(query, headers=user.headers)) == [draft["id"]]
    assert _ids(client.get(query, headers=other.headers)) == []
    assert _ids(client.get(query)) == []


def test_filtered_lists_are_paged_by_cursor(
    client: FlaskClient, user: SignedIn, clock: FixedClock, write_post: Write
) -> None:
    written = []
    for _ in range(5):
        clock.advance(minutes=1)
        written.append(write_post(user, tags=["paged"])["id"])
    seen, cursor = [], ""
    while True:
        response = client.get(f"{POSTS}?tag=paged&per_page=2{cursor}")
        seen += _ids(response)
        if response.json["next_cursor"] is None:
            break
        cursor = f"&cursor={response.json['next_cursor']}"
    assert seen == written[::-1]


BAD_FILTERS = {
    "tag=": "tag",
    "tag=%20%E3%80%80": "tag",  # blank once trimmed, as a tag is
    "tag=%E2%80%8B": "tag",  # a zero-width space alone: blank, as a tag is
    "tag=" + "t" * 41: "tag",
    "author=": "author",
    "author=" + "a" * 41: "author",
    "favorited_by=": "favorited_by",
    "favorited_by=" + "f" * 41: "favorited_by",
    "tag=a&tag=b": "tag",
    "author=%00": "author",
    "tag=%00": "tag",
    "tag=%FF": "tag",  # not UTF-8: werkzeug would hand over the three characters `%FF`
    "search=caf%C3": "search",  # cut inside a character
    "search=%ED%A0%80": "search",  # a lone surrogate, in the only way a URL carries one
}


def test_bad_filters_are_validation_errors(client: FlaskClient, subtests: pytest.Subtests) -> None:
    for query, field in BAD_FILTERS.items():
        with subtests.test(query[:30]):
            assert_field_error(client.get(f"{POSTS}?{query}"), field)


def test_a_filter_in_utf_8_is_read_as_its_text(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user, tags=["caf\u00e9"], title="100% caf\u00e9")
    assert client.get(f"{POSTS}?tag=caf%C3%A9").json["total"] == 1
    assert client.get(f"{POSTS}?search=100%25+caf%C3%A9").json["total"] == 1
    assert client.get(f"{POSTS}?search=%FF").status_code == 400
    named = client.get(f"{POSTS}?my+tag=%FF").json["errors"]
    assert named == {"my tag": ["Must be UTF-8 text."]}  # as werkzeug reads the name


# GET /tags


def test_tags_are_listed_most_used_first_counting_published_posts_only(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    write_post(user, tags=["b", "a"])
    write_post(user, tags=["a"])
    write_post(user, tags=["c"])
    write_post(user, tags=["a", "hidden"], published=False)
    response = client.get("/api/v1/tags")
    assert response.status_code == 200
    assert set(response.json) == {"tags"}
    tags = response.json["tags"]
    assert tags[0] == {"name": "a", "posts": 2}
    assert sorted(tags[1:], key=lambda tag: tag["name"]) == [
        {"name": "b", "posts": 1},
        {"name": "c", "posts": 1},
    ]  # the order among equals is the adapter's


@pytest.mark.parametrize("query", ["per_page=abc", "page=2", "x=1"])
def test_the_tags_list_takes_no_query_and_refuses_one_as_every_list_does(
    client: FlaskClient, query: str
) -> None:
    response = client.get(f"/api/v1/tags?{query}")
    assert_error(response, 400, "validation_error")
    assert response.json["errors"] == {query.split("=")[0]: ["Unknown parameter."]}


def test_tags_follow_edits_and_deletions(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user, tags=["old"])
    client.patch(_url(post), json={"tags": ["new"]}, headers=user.headers)
    assert client.get("/api/v1/tags").json == {"tags": [{"name": "new", "posts": 1}]}
    client.patch(_url(post), json={"published": False}, headers=user.headers)
    assert client.get("/api/v1/tags").json == {"tags": []}


def test_at_most_a_hundred_tags_are_listed(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    for n in range(11):
        write_post(user, tags=[f"tag{n}-{k}" for k in range(10)])
    assert len(client.get("/api/v1/tags").json["tags"]) == 100
