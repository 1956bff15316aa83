"""RealWorld's comments over Conduit, under their article's slug."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.conduit.conftest import Join, Member

MISSING = {"errors": {"token": ["is missing"]}}
NO_ARTICLE = {"errors": {"article": ["not found"]}}
NO_COMMENT = {"errors": {"comment": ["not found"]}}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _article(client: FlaskClient, author: Member, title: str = "Talked about") -> str:
    body = {"title": title, "description": "d", "body": "b"}
    response = client.post("/api/articles", json={"article": body}, headers=author.headers)
    return str(response.json["article"]["slug"])


def _comment(client: FlaskClient, who: Member, slug: str, body: str = "Nice") -> dict:
    response = client.post(
        f"/api/articles/{slug}/comments", json={"comment": {"body": body}}, headers=who.headers
    )
    assert response.status_code == 201, response.json
    return response.json["comment"]


def test_a_comment_answers_201_with_its_id_body_times_and_author(
    client: FlaskClient, member: Member
) -> None:
    comment = _comment(client, member, _article(client, member))
    assert isinstance(comment["id"], int) and comment["body"] == "Nice"
    assert STAMP.match(comment["createdAt"]) and STAMP.match(comment["updatedAt"])
    assert comment["author"] == {
        "username": member.user["username"], "bio": None, "image": None, "following": False,
    }  # fmt: skip


def test_the_new_comment_shows_its_author_s_profile_as_the_list_does(
    client: FlaskClient, member: Member
) -> None:
    profile = {"bio": "I comment", "image": "https://example.com/me.png"}
    response = client.put("/api/user", json={"user": profile}, headers=member.headers)
    assert response.status_code == 200, response.json
    slug = _article(client, member)
    comment = _comment(client, member, slug)
    assert comment["author"] == {
        "username": member.user["username"], **profile, "following": False,
    }  # fmt: skip
    listed = client.get(f"/api/articles/{slug}/comments", headers=member.headers)
    assert listed.json["comments"] == [comment]


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_comment_can_t_be_blank(client: FlaskClient, member: Member, blank: str) -> None:
    slug = _article(client, member)
    response = client.post(
        f"/api/articles/{slug}/comments", json={"comment": {"body": blank}}, headers=member.headers
    )
    assert (response.status_code, response.json) == (422, {"errors": {"body": ["can't be blank"]}})


def test_comments_are_listed_to_anybody_newest_first(client: FlaskClient, member: Member) -> None:
    slug = _article(client, member)
    _comment(client, member, slug, "First")
    _comment(client, member, slug, "Second")
    for headers in ({}, member.headers):
        listed = client.get(f"/api/articles/{slug}/comments", headers=headers).json["comments"]
        assert [c["body"] for c in listed] == ["Second", "First"]


def test_the_list_says_whether_the_caller_follows_each_author(
    client: FlaskClient, join: Join
) -> None:
    fan, celeb = join(), join(username="celeb")
    slug = _article(client, celeb)
    _comment(client, celeb, slug)
    client.post("/api/profiles/celeb/follow", headers=fan.headers)
    [listed] = client.get(f"/api/articles/{slug}/comments", headers=fan.headers).json["comments"]
    assert listed["author"]["following"] is True


def test_deleting_a_comment_leaves_the_others(client: FlaskClient, member: Member) -> None:
    slug = _article(client, member)
    first = _comment(client, member, slug, "First")
    _comment(client, member, slug, "Second")
    response = client.delete(f"/api/articles/{slug}/comments/{first['id']}", headers=member.headers)
    assert (response.status_code, response.get_data()) == (204, b"")
    assert [c["body"] for c in client.get(f"/api/articles/{slug}/comments").json["comments"]] == [
        "Second"
    ]


def test_another_user_may_not_delete_a_comment(client: FlaskClient, join: Join) -> None:
    ann, bob = join(), join()
    slug = _article(client, ann)
    comment = _comment(client, ann, slug)
    response = client.delete(f"/api/articles/{slug}/comments/{comment['id']}", headers=bob.headers)
    assert (response.status_code, response.json) == (403, {"errors": {"comment": ["forbidden"]}})
    assert len(client.get(f"/api/articles/{slug}/comments").json["comments"]) == 1


def test_the_article_s_author_may_delete_a_comment_on_it(client: FlaskClient, join: Join) -> None:
    ann, bob = join(), join()
    slug = _article(client, ann)
    comment = _comment(client, bob, slug)
    assert (
        client.delete(
            f"/api/articles/{slug}/comments/{comment['id']}", headers=ann.headers
        ).status_code
        == 204
    )


def test_an_unknown_article_is_404_article_before_the_comment(
    client: FlaskClient, member: Member
) -> None:
    assert client.get("/api/articles/no-such/comments").json == NO_ARTICLE
    posted = client.post(
        "/api/articles/no-such/comments", json={"comment": {"body": "x"}}, headers=member.headers
    )
    deleted = client.delete("/api/articles/no-such/comments/99999", headers=member.headers)
    assert (posted.status_code, posted.json) == (404, NO_ARTICLE)
    assert (deleted.status_code, deleted.json) == (404, NO_ARTICLE)


def test_a_comment_not_on_that_article_is_404_comment(client: FlaskClient, member: Member) -> None:
    one, other = _article(client, member, "One"), _article(client, member, "Other")
    elsewhere = _comment(client, member, other)
    for comment_id in (99999, elsewhere["id"]):
        response = client.delete(
            f"/api/articles/{one}/comments/{comment_id}", headers=member.headers
        )
        assert (response.status_code, response.json) == (404, NO_COMMENT)
    assert len(client.get(f"/api/articles/{other}/comments").json["comments"]) == 1


@pytest.mark.parametrize("method", ["post", "delete"])
def test_writing_comments_needs_a_token(client: FlaskClient, method: str) -> None:
    path = "/api/articles/any/comments" + ("/1" if method == "delete" else "")
    response = getattr(client, method)(path, json={"comment": {"body": "x"}})
    assert (response.status_code, response.json) == (401, MISSING)
