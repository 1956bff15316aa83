"""Favoriting and unfavoriting posts: idempotent, counted, per caller, only what one can see
(docs/API.md, "Posts: slugs, summaries, tags, favorites")."""

from __future__ import annotations

import pytest

from application.posts import FavoritePost, GetPost
from domain.errors import PostNotFound
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import FixedClock, actor_for
from tests.unit.conftest import Given, Stored

# --- FavoritePost ---------------------------------------------------------------------------


def test_favoriting_a_post_stores_it_and_answers_the_post_as_the_caller_sees_it(
    favorite_post: FavoritePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    fan = given.user()
    post = given.post(given.user())
    shown = favorite_post(actor_for(fan), post.id)
    assert (shown.id, shown.favorited, shown.favorites_count) == (post.id, True, 1)
    assert stored.post_seen_by(post.id, fan.id).favorited
    assert uow.committed


def test_favoriting_twice_counts_once(favorite_post: FavoritePost, given: Given) -> None:
    fan = given.user()
    post = given.post(given.user())
    favorite_post(actor_for(fan), post.id)
    assert favorite_post(actor_for(fan), post.id).favorites_count == 1


def test_favorites_of_different_users_add_up(favorite_post: FavoritePost, given: Given) -> None:
    post = given.post(given.user())
    given.favorite(given.user(), post)
    assert favorite_post(actor_for(given.user()), post.id).favorites_count == 2


def test_favorited_is_per_caller(
    favorite_post: FavoritePost, given: Given, get_post: GetPost
) -> None:
    fan, other = given.user(), given.user()
    post = given.post(given.user())
    favorite_post(actor_for(fan), post.id)
    seen = get_post(actor_for(other), post.id)
    assert (seen.favorited, seen.favorites_count) == (False, 1)
    assert not get_post(None, post.id).favorited


def test_favoriting_does_not_change_the_posts_etag_version_or_updated_at(
    favorite_post: FavoritePost, given: Given, stored: Stored, clock: FixedClock
) -> None:
    post = given.post(given.user())
    clock.advance(hours=1)
    shown = favorite_post(actor_for(given.user()), post.id)
    assert (shown.etag, shown.version, shown.updated_at) == (post.etag, 1, post.updated_at)
    assert stored.post(post.id).etag == post.etag


def test_the_author_may_favorite_their_own_draft(favorite_post: FavoritePost, given: Given) -> None:
    ann = given.user()
    draft = given.post(ann, published=False)
    assert favorite_post(actor_for(ann), draft.id).favorited


def test_favoriting_a_post_one_cannot_see_is_not_found_and_stores_nothing(
    favorite_post: FavoritePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    fan = given.user()
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        favorite_post(actor_for(fan), draft.id)
    assert (stored.post_seen_by(draft.id, fan.id).favorited, uow.committed) == (False, False)


def test_favoriting_a_missing_post_is_not_found(favorite_post: FavoritePost, given: Given) -> None:
    with pytest.raises(PostNotFound):
        favorite_post(actor_for(given.user()), 999)


# --- FavoritePost.undo ----------------------------------------------------------------------


def test_unfavoriting_removes_the_favorite(
    favorite_post: FavoritePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    fan, other = given.user(), given.user()
    post = given.post(given.user())
    given.favorite(fan, post)
    given.favorite(other, post)
    shown = favorite_post.undo(actor_for(fan), post.id)
    assert (shown.favorited, shown.favorites_count) == (False, 1)
    assert not stored.post_seen_by(post.id, fan.id).favorited
    assert uow.committed


def test_unfavoriting_a_post_one_has_not_favorited_is_idempotent(
    favorite_post: FavoritePost, given: Given
) -> None:
    post = given.post(given.user())
    given.favorite(given.user(), post)
    shown = favorite_post.undo(actor_for(given.user()), post.id)
    assert (shown.favorited, shown.favorites_count) == (False, 1)


def test_unfavoriting_does_not_change_the_posts_etag(
    favorite_post: FavoritePost, given: Given
) -> None:
    fan = given.user()
    post = given.post(given.user())
    given.favorite(fan, post)
    assert favorite_post.undo(actor_for(fan), post.id).etag == post.etag


def test_unfavoriting_a_post_one_can_no_longer_see_is_not_found(
    favorite_post: FavoritePost, given: Given, stored: Stored
) -> None:
    fan = given.user()
    draft = given.post(given.user(), published=False)
    given.favorite(fan, draft)  # favorited before its author unpublished it
    with pytest.raises(PostNotFound):
        favorite_post.undo(actor_for(fan), draft.id)
    assert stored.post_seen_by(draft.id, fan.id).favorited


def test_unfavoriting_a_missing_post_is_not_found(
    favorite_post: FavoritePost, given: Given
) -> None:
    with pytest.raises(PostNotFound):
        favorite_post.undo(actor_for(given.user()), 999)
