"""Rows read with their author as they are now, as the reader sees them (posts, comments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, exists, false, select, true

from infrastructure.db.models import SEARCH_ONLY, FollowRow, Id, UserRow

users, follows = UserRow.__table__, FollowRow.__table__
SHOWN = ("name", "username", "bio", "image")  # of the author, as `author_<name>`


def with_author(
    source: FromClause, viewer: bool, lateral: bool, followed: bool = False
) -> Select[Any]:
    """`source`'s columns (not those kept for searches, SEARCH_ONLY) and its author's
    (`author_name`, `author_username`, `author_bio`, `author_image`, and `author_following`:
    whether the `viewer_id` parameter follows them).

    `followed`: every row's author is one the viewer follows (the viewer's own feed, read in
    the same statement), so `author_following` is true without a look-up.

    `lateral` (PostgreSQL): the author is a LATERAL subquery kept apart by its LIMIT, so each
    row costs one key lookup. As a plain join PostgreSQL may hash or merge every user to
    find a page's few authors. SQLite joins by key lookups anyway.
    """
    following: ColumnElement[bool] = false()
    if viewer and followed:
        following = true()
    elif viewer:
        following = (
            exists()
            .where(
                follows.c.follower_id == bindparam("viewer_id", type_=Id),
                follows.c.followed_id == source.c.author_id,
            )
            .correlate_except(follows)
        )
    if lateral:
        found = select(*(users.c[name] for name in SHOWN)).where(users.c.id == source.c.author_id)
        author: Any = found.limit(1).lateral("author")
        joined = source.join(author, true())
    else:
        author, joined = users, source.join(users, users.c.id == source.c.author_id)
    return select(
        *(column for column in source.c if column.key not in SEARCH_ONLY),
        *(author.c[name].label(f"author_{name}") for name in SHOWN),
        following.label("author_following"),
    ).select_from(joined)
