"""What goes with a deleted post or user, and that every count others see stays right
(docs/API.md, "Comments": deleting a post deletes its comments and favorites; deleting a user
deletes their comments, favorites and follows)."""

from __future__ import annotations

import pytest

from application.comments import GetComment
from application.paging import PageRequest
from application.posts import DeletePost, Feed, ListPosts, ListTags, PostSearch
from application.users import DeleteUser
from domain.errors import CommentNotFound
from tests.factories import actor_for
from tests.unit.conftest import Given, Stored

# --- DeletePost -----------------------------------------------------------------------------


def test_deleting_a_post_deletes_its_comments_and_no_others(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(), given.user()
    post, other = given.post(ann), given.post(ann)
    gone = given.comment(bob, post)
    kept = given.comment(bob, other)
    delete_post(actor_for(ann), post.id)
    assert stored.comment(gone.id) is None
    assert stored.comment(kept.id) == kept
    assert stored.post(other.id).comments_count == 1


def test_deleting_a_post_deletes_its_favorites_and_no_others(
    delete_post: DeletePost, given: Given, stored: Stored, list_posts: ListPosts
) -> None:
    ann, fan = given.user(), given.user(username="fan")
    post, other = given.post(ann), given.post(ann)
    given.favorite(fan, post)
    given.favorite(fan, other)
    delete_post(actor_for(ann), post.id)
    assert stored.post_seen_by(other.id, fan.id).favorites_count == 1
    page = list_posts(None, PostSearch(favorited_by="fan"), PageRequest())
    assert ([p.id for p in page.items], page.total) == ([other.id], 1)


def test_a_comment_of_a_deleted_post_is_not_found(
    delete_post: DeletePost, given: Given, get_comment: GetComment
) -> None:
    ann = given.user()
    post = given.post(ann)
    comment = given.comment(given.user(), post)
    delete_post(actor_for(ann), post.id)
    with pytest.raises(CommentNotFound):
        get_comment(None, comment.id)


def test_deleting_a_post_leaves_its_tags_to_the_other_posts(
    delete_post: DeletePost, given: Given, list_tags: ListTags
) -> None:
    ann = given.user()
    post = given.post(ann, tags=("python", "flask"))
    given.post(ann, tags=("python",))
    delete_post(actor_for(ann), post.id)
    assert [(t.name, t.posts) for t in list_tags()] == [("python", 1)]


# --- DeleteUser -----------------------------------------------------------------------------


def test_deleting_a_user_deletes_their_comments_on_others_posts(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, carl = given.user(), given.user()
    post = given.post(carl)
    gone = given.comment(ann, post)
    kept = given.comment(carl, post)
    delete_user(actor_for(given.admin()), ann.id)
    assert stored.comment(gone.id) is None
    assert stored.comment(kept.id) == kept
    assert stored.post(post.id).comments_count == 1


def test_deleting_a_user_deletes_the_comments_others_wrote_on_their_posts(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(), given.user()
    comment = given.comment(bob, given.post(ann))
    delete_user(actor_for(given.admin()), ann.id)
    assert stored.comment(comment.id) is None


def test_deleting_a_user_deletes_their_favorites_and_the_counts_follow(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, bob, carl = given.user(), given.user(), given.user()
    post = given.post(carl)
    given.favorite(ann, post)
    given.favorite(bob, post)
    delete_user(actor_for(given.admin()), ann.id)
    seen = stored.post_seen_by(post.id, bob.id)
    assert (seen.favorites_count, seen.favorited) == (1, True)


def test_deleting_a_user_deletes_the_favorites_of_their_posts(
    delete_user: DeleteUser, given: Given, list_posts: ListPosts
) -> None:
    ann, fan = given.user(), given.user(username="fan")
    given.favorite(fan, given.post(ann))
    kept = given.post(given.user())
    given.favorite(fan, kept)
    delete_user(actor_for(given.admin()), ann.id)
    page = list_posts(None, PostSearch(favorited_by="fan"), PageRequest())
    assert ([p.id for p in page.items], page.total) == ([kept.id], 1)


def test_deleting_a_user_deletes_their_follows_both_ways_and_the_counts_follow(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, bob, carl = given.user(), given.user(), given.user()
    given.follow(ann, carl)  # ann follows carl
    given.follow(bob, ann)  # bob follows ann
    given.follow(bob, carl)
    delete_user(actor_for(given.admin()), ann.id)
    assert (stored.follow_stats(carl.id).followers, stored.follow_stats(bob.id).follows) == (1, 1)


def test_a_deleted_users_posts_leave_their_followers_feeds(
    delete_user: DeleteUser, given: Given, feed: Feed
) -> None:
    ann, bob, carl = given.user(), given.user(), given.user()
    given.follow(bob, ann)
    given.follow(bob, carl)
    given.post(ann)
    kept = given.post(carl)
    delete_user(actor_for(given.admin()), ann.id)
    assert [p.id for p in feed(actor_for(bob), PageRequest()).items] == [kept.id]
