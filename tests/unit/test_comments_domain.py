"""The comment rules: body limits, and who may delete a comment."""

from __future__ import annotations

import pytest

from domain.comments import Comment
from domain.errors import InvalidInput
from domain.posts import Author, Post
from domain.users import Role
from tests.factories import T0, make_actor, make_post

ANN = Author(id=1, name="Ann", username="ann")  # writes the post
BOB = Author(id=2, name="Bob", username="bob")  # comments on it


def a_post() -> Post:
    return make_post(ANN, id=10, published=True)


def write(body: str = "Nice post.") -> Comment:
    return Comment.write(post=a_post(), author=BOB, body=body, now=T0)


def test_a_written_comment_is_new_on_its_post_by_its_author_with_equal_timestamps() -> None:
    comment = write("Nice post.")
    assert (comment.id, comment.post_id, comment.author, comment.body) == (
        None, 10, BOB, "Nice post.",
    )  # fmt: skip
    assert comment.created_at == comment.updated_at == T0


@pytest.mark.parametrize("body", ["x", " ", "x" * 10_000, "line one\nline two"])
def test_a_body_of_1_to_10000_characters_is_valid(body: str) -> None:
    assert write(body).body == body


@pytest.mark.parametrize("body", ["", "x" * 10_001])
def test_an_empty_or_too_long_body_is_refused_on_the_body_field(body: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        write(body)
    assert list(raised.value.errors) == ["body"]


def test_the_comments_author_may_delete_it() -> None:
    assert write().deletable_by(make_actor(BOB.id), a_post())


def test_the_posts_author_may_delete_a_comment_on_it() -> None:
    assert write().deletable_by(make_actor(ANN.id), a_post())


def test_an_admin_may_delete_any_comment() -> None:
    assert write().deletable_by(make_actor(99, Role.ADMIN), a_post())


def test_nobody_else_may_delete_a_comment() -> None:
    assert not write().deletable_by(make_actor(99), a_post())
