"""The reads of posts: one post, a page of them, and the counts of a filter.

Every read gives the post with its tags and kept counts (on its row), its author as they are
now and whether the reader follows them, and whether the reader favorited it, in one
statement, so a page costs the same whatever its size. Statements are built once per shape
(see infrastructure.db.users.user_page).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    bindparam,
    case,
    exists,
    false,
    func,
    not_,
    select,
    true,
    union_all,
)

from application.paging import Window
from infrastructure.db.counters import AUTHOR_POST_TOTAL, POST_TOTAL, summed
from infrastructure.db.lists import (
    counted,
    ordered,
    paged,
    searched_page,
    with_total,
)
from infrastructure.db.models import (
    SEARCH_ONLY,
    AuthorPostCountRow,
    FavoriteRow,
    FollowRow,
    Id,
    PostRow,
    TagRow,
)
from infrastructure.db.post_filters import FOLLOWED, Shape, conditions, driving
from infrastructure.db.readers import with_author

posts, favorites = PostRow.__table__, FavoriteRow.__table__
READ = [column for column in posts.c if column.key not in SEARCH_ONLY]  # what a read gives
follows, tags = FollowRow.__table__, TagRow.__table__
author_counts = AuthorPostCountRow.__table__


def as_read(
    source: FromClause, viewer: bool, postgres: bool, own_feed: bool = False
) -> Select[Any]:
    """The posts of `source` (the table, or a page of it) as every read gives them;
    `own_feed`: the viewer's own feed, whose authors they all follow."""
    favorited: ColumnElement[bool] = false()
    if viewer:
        favorited = (
            exists()
            .where(
                favorites.c.user_id == bindparam("viewer_id", type_=Id),
                favorites.c.post_id == source.c.id,
            )
            .correlate_except(favorites)  # a list of someone's favorites walks them too
        )
    read = with_author(source, viewer, postgres, followed=own_feed)
    return read.add_columns(favorited.label("favorited"))


@cache
def get_post(
    viewer: bool, lock: bool = False, by_slug: bool = False, postgres: bool = False
) -> Select[Any]:
    key = posts.c.slug == bindparam("slug") if by_slug else posts.c.id == bindparam("post_id")
    stmt = as_read(posts, viewer, postgres).where(key)
    # An edit or a removal takes the post's row, after its author's (see LOCK_POST_AUTHOR).
    return stmt.with_for_update(of=posts) if lock else stmt


@cache
def post_page(
    shape: Shape,
    viewer: bool,
    after: bool,
    postgres: bool = False,
    own_feed: bool = False,
    within_count: bool = True,
) -> Select[Any]:
    """The page's posts are chosen first, then read with their authors (see with_author).
    `own_feed`: the list is the viewer's own feed (`followed_by` is the viewer).

    On PostgreSQL the feed's keys are chosen by _feed_page: a deep page by cursor costs
    what the first does. A search's keys, outside a feed and within the matches it counts
    (`within_count`, see user_page), by searched_page, which also counts them."""
    kept = kept_total(shape)
    total = None if kept is None else kept.scalar_subquery()
    if postgres and shape.feed_alone:
        if kept is not None:  # the plain feed's total also tells how to walk it
            total = select(kept.cte("feed_total")).scalar_subquery()
        ids = _feed_page(shape, after, total).subquery("chosen")
        chosen = select(*READ).join(ids, posts.c.id == ids.c.id)
    elif shape.searching and not shape.followed_by and within_count:
        source, where, (created_at, ident) = driving(shape)
        keys = select(ident.label("id"), created_at.label("created_at")).select_from(source)
        page_keys, total = searched_page(keys.where(*where), created_at, ident, after)
        ids = page_keys.subquery("chosen")
        chosen = select(*READ).join(ids, posts.c.id == ids.c.id)
    else:
        source, where, (created_at, ident) = driving(shape)
        stmt = select(*READ).select_from(source).where(*where)
        chosen = paged(ordered(stmt, created_at, ident, after))
    page = chosen.subquery("page")
    stmt = as_read(page, viewer, postgres, own_feed=own_feed)
    if total is not None:
        stmt = with_total(stmt, total)
    return ordered(stmt, page.c.created_at, page.c.id, False)


def _feed_page(shape: Shape, after: bool, total: Any) -> Select[Any]:
    """The keys of the feed's page. Each followed author's newest posts, merged: about one
    index probe per author, however few posts they wrote. When the followed authors wrote
    at least one post in WALK_PER_ROW of all (their kept `total` says so), walking the newest
    posts of everyone is cheaper: the plain feed walks WALK_PER_ROW times as many as the page
    reaches down to, and keeps that walk's answer if it found enough of theirs in it."""
    own = attrs.evolve(shape, followed_by=False)
    # Keys only, so each author's walk reads the index alone; the page's rows are read after.
    newest = ordered(
        select(posts.c.id, posts.c.created_at).where(
            posts.c.author_id == follows.c.followed_id, *conditions(own)
        ),
        posts.c.created_at,
        posts.c.id,
        after,
    )
    # Each author gives at most as many posts as the page reaches down to.
    depth = bindparam("depth", type_=Id, literal_execute=True)
    by_author = newest.limit(depth).lateral("by_author")
    merged = ordered(
        select(by_author)
        .select_from(follows.join(by_author, true()))
        .where(follows.c.follower_id == bindparam("followed_by")),
        by_author.c.created_at,
        by_author.c.id,
        False,
    ).limit(depth)
    if total is None:  # a search or an author in the feed: their own walks, then the page
        return paged(merged)
    walk = bindparam("walk", type_=Id, literal_execute=True)
    recent = ordered(
        select(posts.c.id, posts.c.created_at, posts.c.author_id).where(*conditions(own)),
        posts.c.created_at,
        posts.c.id,
        after,
    )
    recent_posts = recent.limit(walk).subquery("recent")
    # IS TRUE keeps the IN a filter on the walk (a hashed subplan, the follows in work_mem):
    # as a join, PostgreSQL would read the whole walk and sort it; as a filter, it stops at
    # the page's last post.
    dense = (
        ordered(
            select(recent_posts.c.id, recent_posts.c.created_at).where(
                recent_posts.c.author_id.in_(FOLLOWED).is_(true())
            ),
            recent_posts.c.created_at,
            recent_posts.c.id,
            False,
        )
        .limit(depth)
        .cte("dense")
    )
    everyone = func.coalesce(POST_TOTAL.scalar_subquery(), 0)
    found = select(func.count()).select_from(dense).scalar_subquery()
    # CASE, not AND: PostgreSQL may evaluate an AND's sides in either order, and the walk
    # must not run when the followed authors wrote too little for it to find their posts.
    dense_enough = case(
        (func.coalesce(total, 0) * WALK_PER_ROW >= everyone, found >= depth), else_=false()
    )
    either = union_all(
        select(dense.c.id, dense.c.created_at).where(dense_enough),
        select(merged.subquery("merged")).where(not_(dense_enough)),
    ).subquery("feed")
    return paged(ordered(select(either), either.c.created_at, either.c.id, False))


BIGGEST = 2**63 - 1  # a LIMIT the database takes
WALK_PER_ROW = 50  # the feed's walk of everyone's newest posts: the followed authors' 2 %


def page_values(window: Window) -> dict[str, Any]:
    depth = min(window.offset + window.limit, BIGGEST)
    values: dict[str, Any] = {
        "offset": window.offset,
        "limit": window.limit,
        "depth": depth,
        "walk": min(depth * WALK_PER_ROW, BIGGEST),
    }
    if window.after is not None:
        values.update(after_created_at=window.after.created_at, after_id=window.after.id)
    return values


@cache
def matches_count(shape: Shape) -> Select[Any]:
    """How many posts match, up to the `at_most` parameter."""
    source, where, newest = driving(shape)
    # A search's count is capped: walked newest first, it stops early on pages in memory.
    # Uncapped counts, and a user's favorites (few), are read in whatever order is cheapest.
    walked = shape.searching and not shape.favorited_by
    return counted(source, *where, newest_keys=newest if walked else ())


# Kept counts: a tag's published posts, and the published posts of the authors one follows.
TAG_TOTAL = select(tags.c.posts).where(tags.c.name == bindparam("tag"))
# Summed per followed author, each a key lookup (a join may walk every author's counts).
FEED_TOTAL = select(
    summed(
        select(summed(author_counts.c.posts))
        .where(
            author_counts.c.author_id == follows.c.followed_id,
            author_counts.c.published.is_(True),
        )
        .scalar_subquery()
    )
).where(follows.c.follower_id == bindparam("followed_by"))


@cache
def kept_total(shape: Shape) -> Select[Any] | None:
    """The kept count that answers this filter exactly, if there is one."""
    if shape.searching or shape.favorited_by:
        return None
    if not (shape.tagged or shape.followed_by):  # every post, or an author's, in a state
        return AUTHOR_POST_TOTAL if shape.by_author else POST_TOTAL
    if not shape.published or shape.by_author:
        return None
    if shape.tagged and not shape.followed_by:
        return TAG_TOTAL
    if shape.followed_by and not shape.tagged:
        return FEED_TOTAL
    return None
