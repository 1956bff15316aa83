"""What a list of posts selects: its filter's shape and values, and the SQL conditions and
driving table (the posts, a tag's index, someone's favorites) each filter makes."""

from __future__ import annotations

from typing import Any

import attrs
from attrs import frozen
from sqlalchemy import bindparam, select

from application.ports import PostFilter
from infrastructure.db.lists import folded_contains, search_values, word_count
from infrastructure.db.models import FavoriteRow, FollowRow, PostRow, PostTagRow, TagRow

posts, favorites = PostRow.__table__, FavoriteRow.__table__
follows, post_tags, tags = FollowRow.__table__, PostTagRow.__table__, TagRow.__table__


@frozen
class Shape:
    """What a list statement looks like for a filter (its values aside)."""

    published: bool
    by_author: bool = False
    searching: bool = False
    word_count: int = 0  # the search's words asked for alone (lists.word_count)
    tagged: bool = False
    favorited_by: bool = False
    followed_by: bool = False

    @classmethod
    def of(cls, filters: PostFilter, postgres: bool) -> Shape:
        return cls(
            published=filters.published,
            by_author=filters.author_id is not None,
            searching=bool(filters.search),
            word_count=word_count(filters.search, postgres) if filters.search else 0,
            tagged=filters.tag is not None,
            favorited_by=filters.favorited_by is not None,
            followed_by=filters.followed_by is not None,
        )

    @property
    def feed_alone(self) -> bool:
        """The feed with no other filter than a search or an author (see _feed_page)."""
        return self.followed_by and not (self.tagged or self.favorited_by)


def filter_values(filters: PostFilter, shape: Shape) -> dict[str, Any]:
    values: dict[str, Any] = {"published": filters.published}
    if filters.author_id is not None:
        values["author_id"] = filters.author_id
    if filters.search:
        values.update(search_values(filters.search, shape.word_count))
    if filters.tag is not None:
        values["tag"] = filters.tag
    if filters.favorited_by is not None:
        values["favorited_by"] = filters.favorited_by
    if filters.followed_by is not None:
        values["followed_by"] = filters.followed_by
    return values


TAG_ID = select(tags.c.id).where(tags.c.name == bindparam("tag")).scalar_subquery()
FOLLOWED = (
    select(follows.c.followed_id)
    .where(follows.c.follower_id == bindparam("followed_by"))
    .correlate_except(follows)
)
FAVORITES = (
    select(favorites.c.post_id)
    .where(favorites.c.user_id == bindparam("favorited_by"))
    .correlate_except(favorites)
)


def conditions(shape: Shape, source: Any = posts, *, state: bool = True) -> list[Any]:
    """The filter's conditions on a posts table (or alias), its tag aside (see `driving`)."""
    found = [source.c.published.is_(shape.published)] if state else []
    if shape.by_author:
        found.append(source.c.author_id == bindparam("author_id"))
    if shape.searching:
        columns = (source.c.title_folded, source.c.content_folded)
        found.append(folded_contains(*columns, word_count=shape.word_count))
    if shape.favorited_by:
        found.append(source.c.id.in_(FAVORITES))
    if shape.followed_by:
        found.append(source.c.author_id.in_(FOLLOWED))
    return found


def driving(shape: Shape) -> tuple[Any, list[Any], tuple[Any, Any]]:
    """What a list walks (FROM, WHERE, and the newest-first keys): a tag's posts walk the tag's
    index, where each post's state and time are copied; every other list walks the posts."""
    newest = (posts.c.created_at, posts.c.id)
    if shape.favorited_by and not shape.tagged:
        # From the user's favorites (a few), not along every post looking for theirs.
        joined = favorites.join(posts, posts.c.id == favorites.c.post_id)
        rest = conditions(attrs.evolve(shape, favorited_by=False))
        return joined, [favorites.c.user_id == bindparam("favorited_by"), *rest], newest
    if not shape.tagged:
        return posts, conditions(shape), newest
    where = [
        post_tags.c.tag_id == TAG_ID,
        post_tags.c.published.is_(shape.published),
        *conditions(shape, state=False),
    ]
    joined = post_tags.join(posts, posts.c.id == post_tags.c.post_id)
    return joined, where, (post_tags.c.created_at, post_tags.c.post_id)
