"""RealWorld's articles over Conduit: published Quill posts addressed by slug; lists, the feed
and favorites."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from interfaces.container import Container
from tests.conduit.conftest import Join, Member, documented
from tests.factories import FixedClock

MISSING = {"errors": {"token": ["is missing"]}}
NO_ARTICLE = {"errors": {"article": ["not found"]}}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ARTICLE_KEYS = {
    "slug", "title", "description", "body", "tagList", "createdAt", "updatedAt", "favorited",
    "favoritesCount", "author",
}  # fmt: skip

Write = Callable[..., dict[str, Any]]


@pytest.fixture
def write(client: FlaskClient) -> Write:
    def post(author: Member, **fields: Any) -> dict[str, Any]:
        body = {"title": "A title", "description": "About it", "body": "The text", **fields}
        response = client.post("/api/articles", json={"article": body}, headers=author.headers)
        assert response.status_code == 201, response.json
        article: dict[str, Any] = response.json["article"]
        return article

    return post


# POST /api/articles


def test_writing_an_article_publishes_it_and_answers_201(
    client: FlaskClient, member: Member, write: Write
) -> None:
    article = write(member, title="How to train", tagList=["training", "dragons"])
    assert set(article) == ARTICLE_KEYS
    assert article["slug"] == "how-to-train"
    assert (article["title"], article["description"], article["body"]) == (
        "How to train", "About it", "The text",
    )  # fmt: skip
    assert article["tagList"] == ["dragons", "training"]  # sorted
    assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert STAMP.match(article["createdAt"]) and article["createdAt"] == article["updatedAt"]
    assert article["author"] == {
        "username": member.user["username"], "bio": None, "image": None, "following": False,
    }  # fmt: skip
    assert client.get("/api/v1/posts/by-slug/how-to-train").json["published"] is True


def test_the_written_article_shows_its_author_s_profile_as_a_read_does(
    client: FlaskClient, member: Member, write: Write
) -> None:
    profile = {"bio": "I write", "image": "https://example.com/me.png"}
    response = client.put("/api/user", json={"user": profile}, headers=member.headers)
    assert response.status_code == 200, response.json
    article = write(member)
    assert article["author"] == {
        "username": member.user["username"], **profile, "following": False,
    }  # fmt: skip
    read = client.get(f"/api/articles/{article['slug']}", headers=member.headers)
    assert read.json["article"]["author"] == article["author"]


def test_the_same_title_twice_gets_two_slugs(member: Member, write: Write) -> None:
    assert write(member, title="Twice")["slug"] != write(member, title="Twice")["slug"]


@pytest.mark.parametrize("field", ["title", "description", "body"])
@pytest.mark.parametrize("blank", ["", "  ", "\n\t", "\u200b"])
def test_a_blank_field_can_t_be_blank(
    client: FlaskClient, member: Member, field: str, blank: str
) -> None:
    """Blank in Rails' sense: only whitespace too; and invisible formatting, as v1's title."""
    body = {"title": "T", "description": "D", "body": "B", field: blank}
    response = client.post("/api/articles", json={"article": body}, headers=member.headers)
    assert (response.status_code, response.json) == (422, {"errors": {field: ["can't be blank"]}})


def test_an_update_keeps_to_the_posts_own_rules_not_creation_s_required_fields(
    client: FlaskClient, member: Member, write: Write
) -> None:
    """A front end sends its whole form back: an article without a description (a v1 post's
    summary may be empty) is edited with `"description": ""`."""
    slug = write(member)["slug"]
    edit = {"title": "T", "description": "", "body": "Edited"}
    updated = client.put(f"/api/articles/{slug}", json={"article": edit}, headers=member.headers)
    assert (updated.status_code, updated.json["article"]["description"]) == (200, "")
    blank_title = {"article": {"title": " "}}
    refused = client.put(f"/api/articles/{slug}", json=blank_title, headers=member.headers)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["title"]


def test_writing_without_a_token_is_401(client: FlaskClient) -> None:
    body = {"title": "T", "description": "D", "body": "B"}
    response = client.post("/api/articles", json={"article": body})
    assert (response.status_code, response.json) == (401, MISSING)


def test_the_domain_s_rules_answer_under_realworld_s_names(
    client: FlaskClient, member: Member
) -> None:
    body = {"title": "T", "description": "D" * 301, "body": "B", "tagList": ["a,b"]}
    response = client.post("/api/articles", json={"article": body}, headers=member.headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"description", "tagList"}


# GET, PUT, DELETE /api/articles/<slug>


def test_an_article_is_read_by_slug_with_its_body(
    client: FlaskClient, member: Member, write: Write
) -> None:
    slug = write(member)["slug"]
    response = client.get(f"/api/articles/{slug}")
    assert response.status_code == 200 and response.json["article"]["body"] == "The text"


def test_an_unknown_slug_is_404_article_not_found(client: FlaskClient, member: Member) -> None:
    assert client.get("/api/articles/no-such-slug").json == NO_ARTICLE
    for method in (client.put, client.delete):
        response = method(
            "/api/articles/no-such-slug", json={"article": {"body": "x"}}, headers=member.headers
        )
        assert (response.status_code, response.json) == (404, NO_ARTICLE)


def test_a_change_is_partial_keeps_slug_tags_and_creation_and_moves_updated_at(
    client: FlaskClient, member: Member, write: Write, clock: FixedClock
) -> None:
    before = write(member, title="Kept", tagList=["a", "b"])
    clock.advance(milliseconds=5)
    response = client.put(
        "/api/articles/kept", json={"article": {"body": "New text"}}, headers=member.headers
    )
    after = response.json["article"]
    assert response.status_code == 200
    assert (after["body"], after["title"], after["slug"], after["tagList"]) == (
        "New text",
        "Kept",
        "kept",
        ["a", "b"],
    )
    assert after["createdAt"] == before["createdAt"] and after["updatedAt"] != before["updatedAt"]


def test_a_title_change_keeps_the_slug(client: FlaskClient, member: Member, write: Write) -> None:
    write(member, title="First title")
    response = client.put(
        "/api/articles/first-title", json={"article": {"title": "Other"}}, headers=member.headers
    )
    assert response.json["article"]["slug"] == "first-title"


def test_an_empty_tag_list_clears_the_tags_and_null_is_422(
    client: FlaskClient, member: Member, write: Write
) -> None:
    slug = write(member, tagList=["a"])["slug"]
    cleared = client.put(
        f"/api/articles/{slug}", json={"article": {"tagList": []}}, headers=member.headers
    )
    assert cleared.json["article"]["tagList"] == []
    refused = client.put(
        f"/api/articles/{slug}", json={"article": {"tagList": None}}, headers=member.headers
    )
    assert refused.status_code == 422 and "tagList" in refused.json["errors"]


def test_another_user_may_not_change_or_delete_an_article(
    client: FlaskClient, join: Join, write: Write
) -> None:
    ann, bob = join(), join()
    slug = write(ann)["slug"]
    forbidden = {"errors": {"article": ["forbidden"]}}
    changed = client.put(
        f"/api/articles/{slug}", json={"article": {"body": "x"}}, headers=bob.headers
    )
    deleted = client.delete(f"/api/articles/{slug}", headers=bob.headers)
    assert (changed.status_code, changed.json) == (403, forbidden)
    assert (deleted.status_code, deleted.json) == (403, forbidden)


def test_changing_or_deleting_without_a_token_is_401_first(client: FlaskClient) -> None:
    assert client.put("/api/articles/any", json={"article": {}}).json == MISSING
    assert client.delete("/api/articles/any").json == MISSING


def test_an_article_titled_feed_is_read_at_its_own_slug_not_the_feed(
    client: FlaskClient, member: Member, write: Write
) -> None:
    article = write(member, title="Feed")
    assert article["slug"] == "feed-2"
    assert client.get("/api/articles/feed-2").json["article"]["title"] == "Feed"
    feed = client.get("/api/articles/feed", headers=member.headers)
    assert (feed.status_code, feed.json["articlesCount"]) == (200, 0)  # nobody followed


def test_with_verified_writers_an_unverified_member_may_not_write_and_is_told_why(
    client: FlaskClient, container: Container, member: Member, write: Write
) -> None:
    slug = write(member)["slug"]
    article = {"title": "T", "description": "D", "body": "B"}
    writes = [
        ("/api/articles", {"article": article}),
        (f"/api/articles/{slug}/comments", {"comment": {"body": "Hi"}}),
    ]
    with container.config.require_verified_email.override(True):
        for path, body in writes:
            refused = client.post(path, json=body, headers=member.headers)
            assert (refused.status_code, refused.json) == (
                403,
                {"errors": {"email": ["is not verified"]}},
            )
            template = path.replace(slug, "{slug}")
            assert "403" in documented("post", template)
        assert client.get("/api/user", headers=member.headers).status_code == 200


def test_a_deleted_article_is_gone(client: FlaskClient, member: Member, write: Write) -> None:
    slug = write(member)["slug"]
    response = client.delete(f"/api/articles/{slug}", headers=member.headers)
    assert (response.status_code, response.get_data()) == (204, b"")
    assert client.get(f"/api/articles/{slug}").status_code == 404


def test_a_v1_draft_is_no_article_to_others(
    client: FlaskClient, member: Member, join: Join
) -> None:
    draft = {"title": "Draft", "content": "x", "published": False}
    credentials = {"email": member.user["email"], "password": member.password}
    v1_token = client.post("/api/v1/auth/login", json=credentials).json["access_token"]
    bearer = {"Authorization": f"Bearer {v1_token}"}
    slug = client.post("/api/v1/posts", json=draft, headers=bearer).json["slug"]
    assert client.get(f"/api/articles/{slug}", headers=join().headers).json == NO_ARTICLE
    assert client.get("/api/articles").json["articlesCount"] == 0


# lists


def test_a_list_is_newest_first_without_bodies_and_counts_every_match(
    client: FlaskClient, member: Member, write: Write, clock: FixedClock
) -> None:
    slugs = []
    for n in range(3):
        slugs.append(write(member, title=f"Post {n}")["slug"])
        clock.advance(seconds=1)
    page = client.get("/api/articles?limit=2&offset=1").json
    assert page["articlesCount"] == 3
    assert [a["slug"] for a in page["articles"]] == [slugs[1], slugs[0]]
    assert all("body" not in a for a in page["articles"])


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=-1"])
def test_bad_paging_is_422(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/articles?{query}")
    assert response.status_code == 422
    assert set(response.json["errors"]) <= {"limit", "offset"}


@pytest.mark.parametrize("tag", ["%20", "%E2%80%8B"])  # spaces, a zero-width space: blank
def test_a_blank_tag_filter_is_422(client: FlaskClient, tag: str) -> None:
    response = client.get(f"/api/articles?tag={tag}")
    assert (response.status_code, list(response.json["errors"])) == (422, ["tag"])


@pytest.mark.parametrize("query", ["tag=%FF", "author=a%C3", "limit=%FF"])
def test_a_query_that_is_not_utf_8_is_422(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/articles?{query}")
    assert response.status_code == 422
    assert list(response.json["errors"]) == [query.split("=")[0]]


def test_lists_filter_by_tag_author_and_favorited(
    client: FlaskClient, join: Join, write: Write
) -> None:
    ann, bob = join(username="ann"), join(username="bob")
    write(ann, title="Tagged", tagList=["dragons"])
    write(bob, title="Other")
    client.post("/api/articles/other/favorite", headers=ann.headers)

    def slugs(query: str) -> list[str]:
        return [a["slug"] for a in client.get(f"/api/articles?{query}").json["articles"]]

    assert slugs("tag=dragons") == ["tagged"]
    assert slugs("author=bob") == ["other"]
    assert slugs("favorited=ann") == ["other"]
    assert slugs("author=nobody") == []


def test_list_items_say_what_the_caller_favorited_and_follows(
    client: FlaskClient, join: Join, write: Write
) -> None:
    ann, bob = join(), join(username="bob")
    write(bob, title="Bobs")
    client.post("/api/profiles/bob/follow", headers=ann.headers)
    client.post("/api/articles/bobs/favorite", headers=ann.headers)
    [item] = client.get("/api/articles", headers=ann.headers).json["articles"]
    assert (item["favorited"], item["favoritesCount"], item["author"]["following"]) == (
        True,
        1,
        True,
    )
    [anonymous] = client.get("/api/articles").json["articles"]
    assert (anonymous["favorited"], anonymous["author"]["following"]) == (False, False)


# feed


def test_the_feed_needs_a_token(client: FlaskClient) -> None:
    assert client.get("/api/articles/feed").json == MISSING


def test_the_feed_holds_the_followed_authors_articles(
    client: FlaskClient, join: Join, write: Write
) -> None:
    fan, celeb, other = join(), join(username="celeb"), join()
    assert client.get("/api/articles/feed", headers=fan.headers).json == {
        "articles": [],
        "articlesCount": 0,
    }
    client.post("/api/profiles/celeb/follow", headers=fan.headers)
    write(celeb, title="One")
    write(celeb, title="Two")
    write(other, title="Unfollowed")
    page = client.get("/api/articles/feed?limit=1&offset=1", headers=fan.headers).json
    assert page["articlesCount"] == 2 and len(page["articles"]) == 1
    assert page["articles"][0]["author"] == {
        "username": "celeb",
        "bio": None,
        "image": None,
        "following": True,
    }


# favorites


def test_favoriting_and_unfavoriting_answer_the_article(
    client: FlaskClient, member: Member, write: Write
) -> None:
    slug = write(member)["slug"]
    favorited = client.post(f"/api/articles/{slug}/favorite", headers=member.headers).json[
        "article"
    ]
    assert (favorited["favorited"], favorited["favoritesCount"], favorited["body"]) == (
        True,
        1,
        "The text",
    )
    assert client.get(f"/api/articles/{slug}", headers=member.headers).json["article"]["favorited"]
    undone = client.delete(f"/api/articles/{slug}/favorite", headers=member.headers).json["article"]
    assert (undone["favorited"], undone["favoritesCount"]) == (False, 0)


def test_favorites_need_a_token_and_a_known_slug(client: FlaskClient, member: Member) -> None:
    for method in (client.post, client.delete):
        assert method("/api/articles/any/favorite").json == MISSING
        response = method("/api/articles/no-such/favorite", headers=member.headers)
        assert (response.status_code, response.json) == (404, NO_ARTICLE)


# tags


def test_tags_are_the_names_in_use(client: FlaskClient, member: Member, write: Write) -> None:
    write(member, tagList=["b", "a"])
    write(member, tagList=["b"])
    assert client.get("/api/tags").json == {"tags": ["b", "a"]}
