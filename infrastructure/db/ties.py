"""What a user's deletion uncounts of others: follows, favorites, comments, and tag uses.

The rows themselves go by ON DELETE CASCADE; the counts kept on other users, other posts and
tags are moved here first. Locks are taken in the order every writer takes them: the deleted
user's row with the active admins' and those of the users it follows or who follow it (by
the caller, NO KEY UPDATE in one statement in id order; LOCK_OTHERS then finds them locked),
the user's own raised to FOR UPDATE, then posts' rows in id order, then the user's favorites
and comments; tags last (in name order, by count_tags). A favorite or comment by the user
holds their row KEY SHARE (the foreign key's check), a follow NO KEY UPDATE (LOCK_BOTH), so it
waits for the deletion or the deletion for it. Removing a favorite or a comment of theirs
takes its post's row first, then its own: it either finished before the deletion read them,
or finds nothing after.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select, union, update

from infrastructure.db.models import (
    CommentRow,
    FavoriteRow,
    FollowRow,
    PostRow,
    PostTagRow,
    TagRow,
    UserRow,
)
from infrastructure.db.tags import count_tags

users, posts, follows = UserRow.__table__, PostRow.__table__, FollowRow.__table__
favorites, comments = FavoriteRow.__table__, CommentRow.__table__
post_tags, tags = PostTagRow.__table__, TagRow.__table__

GONE = bindparam("user_id")
FOLLOWED = select(follows.c.followed_id).where(follows.c.follower_id == GONE)
FOLLOWERS = select(follows.c.follower_id).where(follows.c.followed_id == GONE)
FAVORITED = select(favorites.c.post_id).where(favorites.c.user_id == GONE)
COMMENTED = select(comments.c.post_id).where(comments.c.author_id == GONE)

FOLLOW_PARTNERS = union(FOLLOWED, FOLLOWERS)
LOCK_OTHERS = (
    select(users.c.id)
    .where(users.c.id.in_(FOLLOW_PARTNERS))
    .order_by(users.c.id)
    .with_for_update(key_share=True)
)
UNFOLLOWED = (
    update(users)
    .where(users.c.id.in_(FOLLOWED))
    .values(followers_count=users.c.followers_count - 1)
)
UNFOLLOWING = (
    update(users).where(users.c.id.in_(FOLLOWERS)).values(follows_count=users.c.follows_count - 1)
)
LOCK_FAVORITES = FAVORITED.with_for_update()
LOCK_COMMENTS = COMMENTED.with_for_update()
LOCK_POSTS = (
    select(posts.c.id)
    .where(posts.c.id.in_(union(FAVORITED, COMMENTED)))
    .order_by(posts.c.id)
    .with_for_update(key_share=True)
)
UNFAVORITED = (
    update(posts)
    .where(posts.c.id.in_(FAVORITED))
    .values(favorites_count=posts.c.favorites_count - 1)
)
COMMENTS_ON_IT = (
    select(func.count())
    .where(comments.c.author_id == GONE, comments.c.post_id == posts.c.id)
    .scalar_subquery()
)
UNCOMMENTED = (
    update(posts)
    .where(posts.c.id.in_(COMMENTED))
    .values(comments_count=posts.c.comments_count - COMMENTS_ON_IT)
)
TAG_USES = (
    select(tags.c.name, func.count())
    .select_from(post_tags.join(posts, posts.c.id == post_tags.c.post_id).join(tags))
    .where(posts.c.author_id == GONE, post_tags.c.published.is_(True))
    .group_by(tags.c.name)
)


def uncount_ties(connection: Connection, user_id: int) -> None:
    """Others' follower and follows counts, and others' posts' favorite and comment counts."""
    values = {"user_id": user_id}
    if connection.execute(LOCK_OTHERS, values).all():
        connection.execute(UNFOLLOWED, values)
        connection.execute(UNFOLLOWING, values)
    if not connection.execute(LOCK_POSTS, values).all():
        return
    favorited = bool(connection.execute(LOCK_FAVORITES, values).all())
    commented = bool(connection.execute(LOCK_COMMENTS, values).all())
    if favorited:
        connection.execute(UNFAVORITED, values)
    if commented:
        connection.execute(UNCOMMENTED, values)


def uncount_tags(connection: Connection, user_id: int) -> None:
    """The tags of the user's published posts lose those posts."""
    uses = {tag: n for tag, n in connection.execute(TAG_USES, {"user_id": user_id})}
    if uses:
        count_tags(connection, {tag: -n for tag, n in uses.items()})
