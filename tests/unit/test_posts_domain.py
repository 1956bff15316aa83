"""The post rules: title and content limits, publishing, versions, visibility and ownership."""

from __future__ import annotations

import pytest
from attrs import evolve

from domain.errors import InvalidInput
from domain.posts import Author, Post
from domain.users import Role
from tests.factories import LATER, T0, make_actor, make_post, write_post

ANN = Author(id=1, name="Ann")


def stored_post(**overrides: object) -> Post:
    values: dict[str, object] = {"id": 10, "published": True}
    values.update(overrides)
    return make_post(ANN, **values)


# --- writing --------------------------------------------------------------------------------


def test_a_written_post_is_new_at_version_1_with_equal_timestamps() -> None:
    post = write_post(ANN)
    assert (post.id, post.version, post.author) == (None, 1, ANN)
    assert post.created_at == post.updated_at == T0


def test_a_post_written_as_a_draft_has_no_published_at() -> None:
    post = write_post(ANN, published=False)
    assert (post.published, post.published_at) == (False, None)


def test_a_post_written_published_is_published_now() -> None:
    post = write_post(ANN, published=True)
    assert (post.published, post.published_at) == (True, T0)


@pytest.mark.parametrize("title", ["x", "x" * 200, " padded "])
def test_a_title_of_1_to_200_characters_is_accepted(title: str) -> None:
    assert write_post(ANN, title=title).title == title


@pytest.mark.parametrize(
    "title", ["", " ", "\t\n", "\u200b\u200b", " \u200e ", "\u3164 \uffa0", "x" * 201]
)
def test_an_empty_blank_or_too_long_title_is_refused(title: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        write_post(ANN, title=title)
    assert list(raised.value.errors) == ["title"]


@pytest.mark.parametrize("content", ["x", "x" * 100_000])
def test_content_of_1_to_100000_characters_is_accepted(content: str) -> None:
    assert write_post(ANN, content=content).content == content


@pytest.mark.parametrize("content", ["", "x" * 100_001])
def test_empty_or_too_long_content_is_refused(content: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        write_post(ANN, content=content)
    assert list(raised.value.errors) == ["content"]


# --- editing --------------------------------------------------------------------------------


def test_an_edit_changes_the_fields_given_and_moves_updated_at() -> None:
    post = stored_post(title="Old", content="Body")
    edited = post.edit(title="New", content=None, published=None, now=LATER)
    assert (edited.title, edited.content, edited.updated_at) == ("New", "Body", LATER)
    assert edited.created_at == T0


def test_an_edit_bumps_the_version() -> None:
    post = stored_post()
    assert post.edit(title="New", content=None, published=None, now=LATER).version == 2


def test_an_edit_changes_the_etag() -> None:
    post = stored_post()
    assert post.edit(title="New", content=None, published=None, now=LATER).etag != post.etag


def test_the_etag_names_the_post_and_its_version() -> None:
    assert stored_post(id=10, version=3).etag == "10-3"


def test_the_etag_stays_when_the_authors_shown_name_changes() -> None:
    post = stored_post()
    renamed = evolve(post, author=Author(id=post.author.id, name=post.author.name + " B."))
    assert renamed.etag == post.etag


def test_an_edit_giving_nothing_changes_nothing() -> None:
    post = stored_post()
    assert post.edit(title=None, content=None, published=None, now=LATER) is post


def test_an_edit_to_the_current_values_changes_nothing() -> None:
    post = stored_post(title="Same", content="Same body", published=True)
    assert post.edit(title="Same", content="Same body", published=True, now=LATER) is post


def test_publishing_a_draft_sets_published_at_to_now() -> None:
    draft = stored_post(published=False)
    published = draft.edit(title=None, content=None, published=True, now=LATER)
    assert (published.published, published.published_at) == (True, LATER)


def test_unpublishing_clears_published_at() -> None:
    post = stored_post(published=True, published_at=T0)
    draft = post.edit(title=None, content=None, published=False, now=LATER)
    assert (draft.published, draft.published_at) == (False, None)


def test_editing_a_published_post_keeps_its_published_at() -> None:
    post = stored_post(published=True, published_at=T0)
    edited = post.edit(title="New", content=None, published=True, now=LATER)
    assert edited.published_at == T0


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_an_edit_to_an_invalid_title_is_refused(title: str) -> None:
    with pytest.raises(InvalidInput):
        stored_post().edit(title=title, content=None, published=None, now=LATER)


@pytest.mark.parametrize("content", ["", "x" * 100_001])
def test_an_edit_to_invalid_content_is_refused(content: str) -> None:
    with pytest.raises(InvalidInput):
        stored_post().edit(title=None, content=content, published=None, now=LATER)


# --- visibility and ownership ---------------------------------------------------------------


def test_a_published_post_is_visible_to_anybody() -> None:
    post = stored_post(published=True)
    assert post.visible_to(None)
    assert post.visible_to(make_actor(99))


def test_a_draft_is_hidden_from_anonymous_callers_and_other_users() -> None:
    draft = stored_post(published=False)
    assert not draft.visible_to(None)
    assert not draft.visible_to(make_actor(99))


def test_a_draft_is_visible_to_its_author_and_to_admins() -> None:
    draft = stored_post(published=False)
    assert draft.visible_to(make_actor(ANN.id))
    assert draft.visible_to(make_actor(99, Role.ADMIN))


def test_only_the_author_and_admins_may_edit_a_post() -> None:
    post = stored_post(published=True)
    assert post.editable_by(make_actor(ANN.id))
    assert post.editable_by(make_actor(99, Role.ADMIN))
    assert not post.editable_by(make_actor(99))
    assert not post.editable_by(None)
