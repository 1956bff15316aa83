"""Favorites behave the same on every adapter: counted on the post, `favorited` per reader,
and no change to what the post's author edits."""

from __future__ import annotations

from typing import Any

import pytest

from application.paging import PageRequest
from application.ports import PostFilter
from domain.errors import Conflict
from tests.factories import T0
from tests.integration.stored import add_post, add_user, favorite, minutes, stored_post


def test_favoriting_is_idempotent_and_counted_once(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, ann)
    favorite(any_uow, bob, post)
    favorite(any_uow, bob, post)
    seen = stored_post(any_uow, post, bob)
    assert (seen.favorites_count, seen.favorited) == (1, True)
    assert stored_post(any_uow, post, ann).favorited is False
    assert stored_post(any_uow, post).favorited is False


def test_each_users_favorite_counts(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    for _ in range(3):
        favorite(any_uow, add_user(any_uow), post)
    assert stored_post(any_uow, post).favorites_count == 3


def test_unfavoriting_is_idempotent_and_uncounts(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, ann)
    favorite(any_uow, ann, post)
    favorite(any_uow, bob, post)
    with any_uow:
        any_uow.favorites.remove(bob.id, post.id)
        any_uow.favorites.remove(bob.id, post.id)
        any_uow.commit()
    seen = stored_post(any_uow, post, bob)
    assert (seen.favorites_count, seen.favorited) == (1, False)


def test_a_favorite_changes_nothing_the_author_edits(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, ann)
    before = stored_post(any_uow, post)
    favorite(any_uow, bob, post)
    after = stored_post(any_uow, post)
    assert (after.version, after.updated_at, after.etag) == (before.version, before.updated_at,
                                                             before.etag)  # fmt: skip


def test_a_users_favorites_are_listed_newest_post_first_and_counted(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    posts = [add_post(any_uow, ann, created_at=minutes(n)) for n in range(4)]
    draft = add_post(any_uow, ann, published=False)
    for post in (posts[2], posts[0], posts[3], draft):
        favorite(any_uow, bob, post)
    favorite(any_uow, ann, posts[1])
    filters = PostFilter(published=True, favorited_by=bob.id)
    with any_uow.read_only() as reader:
        found = reader.posts.find(filters, PageRequest().window(), bob.id).items
        assert [p.id for p in found] == [posts[3].id, posts[2].id, posts[0].id]
        assert all(p.favorited for p in found)
        assert reader.posts.count(filters) == 3
        drafts = PostFilter(published=False, favorited_by=bob.id)
        assert [p.id for p in reader.posts.find(drafts, PageRequest().window()).items] == [draft.id]


def test_removing_a_post_removes_its_favorites(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, ann)
    favorite(any_uow, bob, post)
    with any_uow:
        any_uow.posts.remove(post.id)
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert reader.posts.count(PostFilter(published=True, favorited_by=bob.id)) == 0


def test_favorites_added_in_bulk_are_counted(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    first, second = add_post(any_uow, ann), add_post(any_uow, ann)
    with any_uow:
        any_uow.favorites.add_many([(ann.id, first.id, T0), (bob.id, first.id, T0),
                                    (bob.id, second.id, T0)])  # fmt: skip
        any_uow.commit()
    assert stored_post(any_uow, first, bob).favorites_count == 2
    assert stored_post(any_uow, second, ann).favorited is False
    assert stored_post(any_uow, second, bob).favorites_count == 1


@pytest.mark.parametrize("stored", [True, False], ids=["stored-before", "twice-in-one-call"])
def test_the_bulk_path_refuses_a_pair_twice(any_uow: Any, stored: bool) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    if stored:
        favorite(any_uow, ann, post)
    pairs = [(ann.id, post.id, T0)] * (1 if stored else 2)
    with pytest.raises(Conflict), any_uow:
        any_uow.favorites.add_many(pairs)
        any_uow.commit()
    assert stored_post(any_uow, post).favorites_count == (1 if stored else 0)
