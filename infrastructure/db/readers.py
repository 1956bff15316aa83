"""Rows read with their author as they are now, as the reader sees them (posts, comments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, exists, false, select

from infrastructure.db.models import FollowRow, Id, UserRow

users, follows = UserRow.__table__, FollowRow.__table__


def with_author(source: FromClause, viewer: bool) -> Select[Any]:
    """`source`'s columns and its author's (`author_name`, `author_username`, `author_bio`,
    `author_image`, and `author_following`: whether the `viewer_id` parameter follows them)."""
    following: ColumnElement[bool] = false()
    if viewer:
        following = (
            exists()
            .where(
                follows.c.follower_id == bindparam("viewer_id", type_=Id),
                follows.c.followed_id == source.c.author_id,
            )
            .correlate_except(follows)
        )
    author = (users.c.name, users.c.username, users.c.bio, users.c.image)
    return select(
        *source.c,
        *(column.label(f"author_{column.name}") for column in author),
        following.label("author_following"),
    ).select_from(source.join(users, users.c.id == source.c.author_id))
