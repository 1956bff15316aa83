"""The post repository on a Core connection. It never commits: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from attrs import evolve
from sqlalchemy import ColumnElement, Connection, Select, bindparam, delete, insert, select, update

from application.paging import Window
from application.ports import PostFilter
from domain.errors import Conflict
from domain.posts import Post
from infrastructure.db.bulk import batched
from infrastructure.db.counters import (
    AUTHOR_POST_TOTAL,
    POST_TOTAL,
    adjust_post_counts,
)
from infrastructure.db.driver_reads import one_row, read_rows
from infrastructure.db.engine import planned_for_its_values
from infrastructure.db.lists import (
    EVERY_ROW,
    contains,
    counted,
    like_pattern,
    newest_first,
    window_values,
)
from infrastructure.db.mapping import post_from_row, post_values
from infrastructure.db.models import PostRow, UserRow
from infrastructure.db.post_locks import COUNTED_POST_INSERT, LOCK_AUTHOR, LOCK_POST_AUTHOR

posts, users = PostRow.__table__, UserRow.__table__

# The author's name by a scalar subquery, not a join: PostgreSQL planned the join with a
# hash table sized for every author, which cost more to set up than the whole page.
AUTHOR_NAME = select(users.c.name).where(users.c.id == posts.c.author_id).scalar_subquery()
POSTS_WITH_AUTHOR = select(posts, AUTHOR_NAME.label("author_name"))
GET_POST = POSTS_WITH_AUTHOR.where(posts.c.id == bindparam("post_id"))
# An edit or a removal takes the post's row, after its author's (see LOCK_POST_AUTHOR).
GET_POST_FOR_UPDATE = GET_POST.with_for_update(of=posts)
INSERT_POST = insert(posts).returning(posts.c.id)


def post_filter(published: bool, by_author: bool, searching: bool) -> list[ColumnElement[bool]]:
    conditions = [posts.c.published.is_(published)]
    if by_author:
        conditions.append(posts.c.author_id == bindparam("author_id"))
    if searching:
        conditions.append(contains(posts.c.title, posts.c.content))
    return conditions


# Built once per shape, as the user pages are (see infrastructure.db.users.user_page).
@cache
def post_page(published: bool, by_author: bool, searching: bool, after: bool) -> Select[Any]:
    stmt = POSTS_WITH_AUTHOR.where(*post_filter(published, by_author, searching))
    return newest_first(stmt, posts, after)


@cache
def post_search_count(published: bool, by_author: bool) -> Select[Any]:
    return counted(posts, *post_filter(published, by_author, searching=True))


def filter_values(filters: PostFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"published": filters.published}
    if filters.author_id is not None:
        values["author_id"] = filters.author_id
    if filters.search:
        values["pattern"] = like_pattern(filters.search)
    return values


class SqlPostRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        """`on_driver`: in a read-only unit, reads run on the driver's cursor (driver_reads)."""
        self._connection = connection
        self._on_driver = on_driver

    def add(self, post: Post) -> Post:
        if self._connection.dialect.name == "postgresql":
            row = self._connection.execute(COUNTED_POST_INSERT, post_values(post)).first()
            if row is None:  # the author was deleted meanwhile
                raise Conflict()
            return evolve(post, id=row.id)
        # SQLite has no INSERT inside WITH: the post, then its counters.
        new_id = self._connection.execute(INSERT_POST, post_values(post)).scalar_one()
        adjust_post_counts(self._connection, Counter({(post.author.id, post.published): 1}))
        return evolve(post, id=new_id)

    def add_many(self, new: Iterable[Post]) -> None:
        for chunk in batched(new):
            self._connection.execute(insert(posts), [post_values(p) for p in chunk])
            adjust_post_counts(self._connection, Counter((p.author.id, p.published) for p in chunk))

    def get(self, post_id: int, *, lock: bool = False) -> Post | None:
        values = {"post_id": post_id}
        if lock:
            self._connection.execute(LOCK_POST_AUTHOR, values)
        stmt = GET_POST_FOR_UPDATE if lock else GET_POST
        row = one_row(self._connection, stmt, values, on_driver=self._on_driver and not lock)
        return None if row is None else post_from_row(row)

    def update(self, post: Post, previous: Post) -> bool:
        moves = post.published != previous.published  # from one counter to the other
        if moves:
            self._connection.execute(LOCK_AUTHOR, {"author_id": post.author.id})
        stmt = (
            update(posts)
            .where(posts.c.id == post.id, posts.c.version == previous.version)
            .values(**post_values(post))
        )
        if self._connection.execute(stmt).rowcount != 1:
            return False
        if moves:
            author = post.author.id
            moved = Counter({(author, post.published): 1, (author, previous.published): -1})
            adjust_post_counts(self._connection, moved)
        return True

    def remove(self, post_id: int) -> None:
        self._connection.execute(LOCK_POST_AUTHOR, {"post_id": post_id})
        stmt = delete(posts).where(posts.c.id == post_id)
        gone = self._connection.execute(stmt.returning(posts.c.author_id, posts.c.published))
        adjust_post_counts(self._connection, Counter({(a, p): -1 for a, p in gone}))

    def find(self, filters: PostFilter, window: Window) -> list[Post]:
        stmt = post_page(*self._shape(filters), window.after is not None)
        values = {**filter_values(filters), **window_values(window)}
        with planned_for_its_values(self._connection, when=bool(filters.search)):
            rows = read_rows(self._connection, stmt, values, on_driver=self._on_driver)
        return [post_from_row(row) for row in rows]

    def count(self, filters: PostFilter, at_most: int | None = None) -> int:
        """The kept totals unless the filter has a search, which counts its matches up to
        `at_most`."""
        values = filter_values(filters)
        if filters.search:
            stmt = post_search_count(filters.published, filters.author_id is not None)
            values["at_most"] = at_most or EVERY_ROW
            with planned_for_its_values(self._connection):
                return int(self._connection.execute(stmt, values).scalar_one())
        stmt = POST_TOTAL if filters.author_id is None else AUTHOR_POST_TOTAL
        total = self._connection.execute(stmt, values).scalar() or 0
        return total if at_most is None else min(total, at_most)

    @staticmethod
    def _shape(filters: PostFilter) -> tuple[bool, bool, bool]:
        return filters.published, filters.author_id is not None, bool(filters.search)
