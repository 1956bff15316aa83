"""The mapping itself, without HTTP: bodies, errors, names, timestamps, rendered keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from attrs import frozen

from application.paging import Page
from application.ports import TagUse
from domain import errors as facts
from domain.comments import Comment
from domain.errors import InvalidInput
from domain.posts import Author, Post
from domain.users import Profile
from interfaces.conduit import render, shapes
from interfaces.conduit.bodies import fields_of, optional, required
from interfaces.conduit.errors import is_conduit_path, said_of
from tests.factories import make_comment, make_post, make_user


@frozen(kw_only=True)
class Sample:
    title: str = required()
    bio: str | None = optional(null_as="")
    email: str | None = optional()
    tags: tuple[str, ...] | None = optional(key="tagList")


# bodies


def test_declared_fields_are_read_and_undeclared_keys_ignored() -> None:
    parsed = fields_of({"title": "T", "tagList": ["a", "b"], "admin": True}, Sample)
    assert parsed == Sample(title="T", tags=("a", "b"))


@pytest.mark.parametrize("data", [{}, {"title": None}, {"title": ""}])
def test_a_required_field_missing_null_or_empty_can_t_be_blank(data: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as raised:
        fields_of(data, Sample)
    assert raised.value.errors == {"title": ["can't be blank"]}


def test_an_optional_field_left_out_is_none() -> None:
    assert fields_of({"title": "T"}, Sample).email is None


def test_null_stands_for_what_the_field_says_or_is_refused() -> None:
    assert fields_of({"title": "T", "bio": None}, Sample).bio == ""
    with pytest.raises(InvalidInput) as raised:
        fields_of({"title": "T", "email": None, "tagList": None}, Sample)
    assert raised.value.errors == {"email": ["can't be null"], "tagList": ["can't be null"]}


def test_an_empty_list_is_kept_as_an_empty_tuple() -> None:
    assert fields_of({"title": "T", "tagList": []}, Sample).tags == ()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"title": 5}, {"title": ["must be a string"]}),
        ({"title": True}, {"title": ["must be a string"]}),
        ({"title": "T", "tagList": "a"}, {"tagList": ["must be a list of strings"]}),
        ({"title": "T", "tagList": ["a", 1]}, {"tagList": ["must be a list of strings"]}),
        (
            {"title": "a\x00b"},
            {"title": ["Must be text without NUL characters or invalid Unicode."]},
        ),
    ],
)
def test_types_are_strict(data: dict[str, object], problem: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidInput) as raised:
        fields_of(data, Sample)
    assert raised.value.errors == problem


def test_every_field_s_problem_is_reported_together() -> None:
    with pytest.raises(InvalidInput) as raised:
        fields_of({"email": 1}, Sample)
    assert set(raised.value.errors) == {"title", "email"}


# errors


@pytest.mark.parametrize(
    ("error", "status", "errors"),
    [
        (facts.NotAuthenticated(), 401, {"token": ["is missing"]}),
        (facts.InvalidToken(), 401, {"token": ["is invalid"]}),
        (facts.TokenExpired(), 401, {"token": ["has expired"]}),
        (facts.TokenRevoked(), 401, {"token": ["has been revoked"]}),
        (facts.InvalidCredentials(), 401, {"credentials": ["invalid"]}),
        (facts.AccountInactive(), 403, {"account": ["is deactivated"]}),
        (facts.NotPostAuthor(), 403, {"article": ["forbidden"]}),
        (facts.NotAccountOwner(), 403, {"request": ["forbidden"]}),
        (facts.PostNotFound(), 404, {"article": ["not found"]}),
        (facts.UserNotFound(), 404, {"user": ["not found"]}),
        (facts.EmailTaken(), 409, {"email": ["has already been taken"]}),
        (facts.UsernameTaken(), 409, {"username": ["has already been taken"]}),
        (facts.ProfileNotFound(), 404, {"profile": ["not found"]}),
        (facts.CommentNotFound(), 404, {"comment": ["not found"]}),
        (facts.NotCommentAuthor(), 403, {"comment": ["forbidden"]}),
        (facts.LastAdmin(), 409, {"request": ["conflicts with the current state"]}),
        (facts.LoginThrottled(60), 429, {"credentials": ["failed too often; try again later"]}),
        (facts.ServiceUnavailable(), 503, {"server": ["is unavailable; try again later"]}),
        (facts.EmailUnverified(), 403, {"email": ["is not verified"]}),
        # No Conduit route raises it; were one to, it is invalid input, said in Quill's words.
        (facts.InvalidLink(), 422, {"request": ["this link is invalid, already used or expired"]}),
    ],
)
def test_each_fact_is_said_in_realworld_s_words(
    error: facts.DomainError, status: int, errors: dict[str, list[str]]
) -> None:
    assert said_of(error) == (status, errors)


def test_invalid_input_is_422_under_realworld_s_field_names() -> None:
    error = InvalidInput(
        {"content": ["a"], "summary": ["b"], "tags": ["c"], "new_password": ["d"], "title": ["e"]}
    )
    assert said_of(error) == (
        422,
        {"body": ["a"], "description": ["b"], "tagList": ["c"], "password": ["d"], "title": ["e"]},
    )


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Must be 1 to 200 characters and not blank.", "must be 1 to 200 characters and not blank"),
        ("Must be a valid e-mail address.", "must be a valid e-mail address"),
        ("URL must be http or https.", "URL must be http or https"),
        ("can't be blank", "can't be blank"),
        ("Must not be '.' or '..'.", "must not be '.' or '..'"),
        ("", ""),
    ],
)
def test_quill_s_sentences_are_said_as_phrases_after_the_field_s_name(
    sentence: str, phrase: str
) -> None:
    """RealWorld front ends print `field message`: `email must be a valid e-mail address`."""
    assert said_of(InvalidInput({"email": [sentence]})) == (422, {"email": [phrase]})


@pytest.mark.parametrize(
    ("path", "conduit"),
    [
        ("/api/users", True),
        ("/api/users/login", True),
        ("/api/user", True),
        ("/api/user/", True),
        ("/api/profiles/ann/follow", True),
        ("/api/articles/feed", True),
        ("/api/tags", True),
        ("/api/openapi.json", True),
        ("/api/usersx", False),
        ("/api", False),
        ("/api/", False),
        ("/api/v1", False),
        ("/api/v1/users", False),
        ("/api/v2/posts", False),
        ("/x/api/users", False),
        ("/docs", False),
    ],
)
def test_conduit_s_paths_are_realworld_s_resources_under_api(path: str, conduit: bool) -> None:
    assert is_conduit_path(path) is conduit


# rendering


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), "2026-11-24T10:00:00.000Z"),
        (datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC), "2026-11-24T10:00:00.123Z"),
        (
            datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-24T10:00:00.000Z",
        ),
        (datetime(2026, 11, 24, 10, 0), "2026-11-24T10:00:00.000Z"),
        (datetime(5, 1, 2, 3, 4, 5, 999999, tzinfo=UTC), "0005-01-02T03:04:05.999Z"),
        (datetime(2026, 12, 31, 23, 59, 59, 1000, tzinfo=UTC), "2026-12-31T23:59:59.001Z"),
        (datetime(2026, 1, 1, 0, 0, 0, 999, tzinfo=UTC), "2026-01-01T00:00:00.000Z"),
    ],
)
def test_timestamps_are_utc_with_milliseconds_always(value: datetime, text: str) -> None:
    assert render.timestamps(value, value)[0] == text


def test_an_article_and_a_comment_say_when_they_were_made_and_last_changed() -> None:
    made = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)
    changed = made + timedelta(days=1, microseconds=1000)

    def rendered(updated: datetime) -> list[dict[str, Any]]:
        post = attrs.evolve(_post(), created_at=made, updated_at=updated)
        said = make_comment(post, AUTHOR, created_at=made, updated_at=updated)
        return [render.article(post)["article"], render.comment(said)["comment"]]

    for fresh in rendered(made):
        assert fresh["createdAt"] == fresh["updatedAt"] == "2026-11-24T10:00:00.123Z"
    for edited in rendered(changed):
        assert edited["createdAt"] == "2026-11-24T10:00:00.123Z"
        assert edited["updatedAt"] == "2026-11-25T10:00:00.124Z"


def test_two_instants_that_share_a_wall_time_are_written_apart() -> None:
    # 01:30 happens twice in New York on 2026-11-01, as 05:30Z and then 06:30Z.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    assert render.timestamps(first, first.replace(fold=1)) == (
        "2026-11-01T05:30:00.000Z",
        "2026-11-01T06:30:00.000Z",
    )


def keys(cls: type) -> set[str]:
    return {field.name for field in attrs.fields(cls)}


def test_the_rendered_user_has_exactly_the_keys_of_its_shape() -> None:
    rendered = render.user(make_user(id=1), "a.b.c")
    assert set(rendered) == keys(shapes.UserEnvelope)
    assert set(rendered["user"]) == keys(shapes.User)
    assert rendered["user"]["token"] == "a.b.c"


AUTHOR = Author(id=1, name="Ann", username="ann", bio="Hi", image=None, following=True)


def _post() -> Post:
    return make_post(AUTHOR, id=5, slug="a-post", summary="S", tags=("b", "a"))


def test_a_rendered_article_has_exactly_the_keys_of_its_shape() -> None:
    rendered = render.article(_post())
    assert set(rendered) == keys(shapes.ArticleEnvelope)
    assert set(rendered["article"]) == keys(shapes.Article)
    assert set(rendered["article"]["author"]) == keys(shapes.Profile)


def test_an_article_maps_summary_to_description_and_content_to_body_with_tags_sorted() -> None:
    post = _post()
    article = render.article(post)["article"]
    assert (article["description"], article["body"]) == ("S", post.content)
    assert article["tagList"] == ["a", "b"]
    assert article["author"] == {"username": "ann", "bio": "Hi", "image": None, "following": True}


def test_a_list_has_the_keys_of_its_shape_and_no_bodies() -> None:
    page = Page(items=[_post()], total=7, page=1, per_page=20, next_cursor=None)
    rendered = render.articles(page)
    assert set(rendered) == keys(shapes.ArticlesEnvelope)
    assert set(rendered["articles"][0]) == keys(shapes.ArticleInList)
    assert rendered["articlesCount"] == 7


def test_comments_profiles_and_tags_have_the_keys_of_their_shapes() -> None:
    said = Comment(
        id=3, post_id=1, author=Author(id=1, name="Ann", username="ann"), body="B",
        created_at=datetime(2026, 1, 1, tzinfo=UTC), updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    one = render.comment(said)
    assert set(one) == keys(shapes.CommentEnvelope) and set(one["comment"]) == keys(shapes.Comment)
    page = Page(items=[said], total=1, page=1, per_page=100, next_cursor=None)
    assert set(render.comments(page)) == keys(shapes.CommentsEnvelope)
    found = Profile(
        user_id=1, username="ann", name="Ann", bio=None, image=None, following=False,
        followers=0, follows=0,
    )  # fmt: skip
    assert set(render.profile(found)["profile"]) == keys(shapes.Profile)
    assert render.tags([TagUse(name="a", posts=2)]) == {"tags": ["a"]}
