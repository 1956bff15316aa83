"""Posts with slugs, summaries and tags: creating, editing (PATCH and PUT), reading by slug
(docs/API.md, "Posts: slugs, summaries, tags, favorites")."""

from __future__ import annotations

import pytest

from application.posts import CreatePost, EditPost, GetPost, NewPost, PostChanges, PostReplacement
from domain.errors import InvalidInput, PostNotFound
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import actor_for
from tests.unit.conftest import Given, Stored

# --- CreatePost -----------------------------------------------------------------------------


def test_a_new_post_gets_a_slug_from_its_title(create_post: CreatePost, given: Given) -> None:
    post = create_post(actor_for(given.user()), NewPost(title="Hello, World!", content="Hi"))
    assert post.slug == "hello-world"


def test_a_second_post_with_the_same_title_gets_the_slug_with_2_then_3(
    create_post: CreatePost, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    slugs = [
        create_post(actor_for(author), NewPost(title="Hello World", content="Hi")).slug
        for author in (ann, bob, ann)
    ]
    assert slugs == ["hello-world", "hello-world-2", "hello-world-3"]


def test_titles_differing_only_in_case_and_punctuation_share_a_base_slug(
    create_post: CreatePost, given: Given
) -> None:
    ann = given.user()
    create_post(actor_for(ann), NewPost(title="Hello World", content="Hi"))
    assert create_post(actor_for(ann), NewPost(title="hello, world?", content="Hi")).slug == (
        "hello-world-2"
    )


def test_a_title_with_nothing_ascii_left_gets_the_slug_post(
    create_post: CreatePost, given: Given
) -> None:
    ann = given.user()
    slugs = [
        create_post(actor_for(ann), NewPost(title="日本語", content="Hi")).slug for _ in range(2)
    ]
    assert slugs == ["post", "post-2"]


def test_a_new_post_keeps_its_summary_and_normalised_tags(
    create_post: CreatePost, given: Given, stored: Stored
) -> None:
    new = NewPost(title="T", content="C", summary="In short.", tags=(" b ", "a", "b"))
    post = create_post(actor_for(given.user()), new)
    assert (post.summary, post.tags) == ("In short.", ("b", "a"))
    assert stored.post(post.id) == post


def test_a_new_post_has_no_favorites_or_comments(create_post: CreatePost, given: Given) -> None:
    post = create_post(actor_for(given.user()), NewPost(title="T", content="C"))
    assert (post.summary, post.tags) == ("", ())
    assert (post.favorites_count, post.comments_count, post.favorited) == (0, 0, False)


def test_a_new_post_with_invalid_summary_and_tags_is_refused_and_nothing_is_stored(
    create_post: CreatePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    new = NewPost(title="T", content="C", summary="x" * 301, tags=("a,b",))
    with pytest.raises(InvalidInput) as raised:
        create_post(actor_for(given.user()), new)
    assert set(raised.value.errors) == {"summary", "tags"}
    assert (stored.post_count(), uow.committed) == (0, False)


# --- EditPost: PATCH ------------------------------------------------------------------------


def test_patching_the_summary_and_tags_stores_them_and_bumps_the_version(
    edit_post: EditPost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann, summary="Old", tags=("a",))
    edited = edit_post(actor_for(ann), post.id, PostChanges(summary="New", tags=("b", " c ")))
    assert (edited.summary, edited.tags, edited.version) == ("New", ("b", "c"), 2)
    assert stored.post(post.id) == edited
    assert uow.committed


def test_patching_the_title_keeps_the_slug(
    edit_post: EditPost, get_post: GetPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann, title="Hello World")
    edit_post(actor_for(ann), post.id, PostChanges(title="Goodbye World"))
    assert stored.post(post.id).slug == "hello-world"
    assert get_post.by_slug(None, "hello-world").title == "Goodbye World"


def test_patching_tags_to_an_empty_list_clears_them(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann, tags=("a", "b"))
    assert edit_post(actor_for(ann), post.id, PostChanges(tags=())).tags == ()


def test_patching_the_same_tags_after_normalising_changes_nothing_and_does_not_commit(
    edit_post: EditPost, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann, tags=("a", "b"))
    assert edit_post(actor_for(ann), post.id, PostChanges(tags=("a", " b", "a"))) == post
    assert not uow.committed


def test_patching_eleven_tags_is_refused_and_changes_nothing(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann, tags=("a",))
    with pytest.raises(InvalidInput) as raised:
        edit_post(actor_for(ann), post.id, PostChanges(tags=tuple(f"t{i}" for i in range(11))))
    assert list(raised.value.errors) == ["tags"]
    assert stored.post(post.id) == post


# --- EditPost.replace: PUT ------------------------------------------------------------------


def test_replacing_without_summary_and_tags_leaves_them_as_they_are(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann, summary="Kept", tags=("a", "b"))
    replaced = edit_post.replace(
        actor_for(ann), post.id, PostReplacement(title="New", content="New", published=True)
    )
    assert (replaced.summary, replaced.tags) == ("Kept", ("a", "b"))
    assert stored.post(post.id) == replaced


def test_replacing_with_summary_and_tags_sets_them(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann, summary="Old", tags=("a",))
    replacement = PostReplacement(title="T", content="C", published=True, summary="", tags=())
    replaced = edit_post.replace(actor_for(ann), post.id, replacement)
    assert (replaced.summary, replaced.tags) == ("", ())


def test_replacing_keeps_the_slug(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann, title="Hello World")
    replacement = PostReplacement(title="Other", content="C", published=True)
    assert edit_post.replace(actor_for(ann), post.id, replacement).slug == "hello-world"


# --- GetPost.by_slug ------------------------------------------------------------------------


def test_a_published_post_is_read_by_its_slug_by_anybody(get_post: GetPost, given: Given) -> None:
    post = given.post(given.user(), title="Hello World", published=True)
    assert get_post.by_slug(None, "hello-world") == post


def test_a_post_read_by_slug_is_the_post_read_by_id(get_post: GetPost, given: Given) -> None:
    ann, fan = given.user(), given.user()
    post = given.post(ann, title="Hello World")
    given.favorite(fan, post)
    given.comment(fan, post)
    by_slug = get_post.by_slug(actor_for(fan), "hello-world")
    assert by_slug == get_post(actor_for(fan), post.id)
    assert (by_slug.favorites_count, by_slug.comments_count, by_slug.favorited) == (1, 1, True)
    assert by_slug.etag == post.etag


def test_a_draft_read_by_slug_is_hidden_from_others_as_not_found(
    get_post: GetPost, given: Given
) -> None:
    given.post(given.user(), title="Secret", published=False)
    with pytest.raises(PostNotFound):
        get_post.by_slug(None, "secret")
    with pytest.raises(PostNotFound):
        get_post.by_slug(actor_for(given.user()), "secret")


def test_a_draft_read_by_slug_is_visible_to_its_author_and_admins(
    get_post: GetPost, given: Given
) -> None:
    ann = given.user()
    draft = given.post(ann, title="Secret", published=False)
    assert get_post.by_slug(actor_for(ann), "secret") == draft
    assert get_post.by_slug(actor_for(given.admin()), "secret") == draft


def test_an_unknown_slug_is_not_found(get_post: GetPost, given: Given) -> None:
    given.post(given.user(), title="Hello World")
    with pytest.raises(PostNotFound):
        get_post.by_slug(None, "hello")
