"""The post repository on a Core connection. It never commits: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from attrs import evolve
from sqlalchemy import Connection, delete, insert, update

from application.paging import Found, Window
from application.ports import PostFilter
from domain.errors import CallerDeleted
from domain.ids import stored
from domain.posts import RESERVED_SLUGS, Post, numbered_slug
from infrastructure.db.bulk import batched
from infrastructure.db.counters import adjust_post_counts, insert_of
from infrastructure.db.driver_reads import one_row, one_value, read_rows
from infrastructure.db.engine import planned_for_its_values
from infrastructure.db.lists import EVERY_ROW, found
from infrastructure.db.mapping import post_from_row, post_values, tags_of
from infrastructure.db.models import PostRow
from infrastructure.db.post_filters import Shape, filter_values
from infrastructure.db.post_locks import COUNTED_POST_INSERT, LOCK_AUTHOR, LOCK_POST_AUTHOR
from infrastructure.db.post_queries import (
    get_post,
    kept_total,
    matches_count,
    page_values,
    post_page,
)
from infrastructure.db.slugs import SlugNumbers
from infrastructure.db.tags import count_tags, tag_posts, untag_post

posts = PostRow.__table__


class SqlPostRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        """`on_driver`: in a read-only unit, reads run on the driver's cursor (driver_reads)."""
        self._connection = connection
        self._on_driver = on_driver
        self._postgres = connection.dialect.name == "postgresql"
        self._slug_numbers = SlugNumbers(connection)

    def add(self, post: Post) -> Post:
        """The slug is the base's next number (slugs.py), inserted ON CONFLICT DO NOTHING:
        taken (even by a writer not yet committed, which PostgreSQL waits for) or given
        before, the numbers above it are searched for one never given."""
        # The author deleted while the request ran: read here on SQLite; on PostgreSQL the
        # insert itself finds it (_insert).
        author = {"author_id": stored(post.author.id)}
        if not self._postgres and self._connection.execute(LOCK_AUTHOR, author).first() is None:
            raise CallerDeleted()
        number = self._slug_numbers.take(post.slug)
        while True:
            slug = numbered_slug(post.slug, number)
            numbered = evolve(post, slug=slug)
            new_id = None if slug in RESERVED_SLUGS else self._insert(numbered, claim=number > 1)
            if new_id is not None:
                break
            number = self._slug_numbers.take_free(post.slug, number + 1)
        self._tag(new_id, post, {tag: int(post.published) for tag in post.tags})
        return evolve(post, id=new_id, slug=slug)

    def _insert(self, post: Post, *, claim: bool) -> int | None:
        """The new post's id, None when its slug is taken; `claim`: a numbered slug, None
        too when it was given before (see slugs.py)."""
        if self._postgres:
            stmt = COUNTED_POST_INSERT[claim]
            row = self._connection.execute(stmt, post_values(post)).first()
            if row is None:  # the author, who is the caller, was deleted meanwhile
                raise CallerDeleted()
            return row.id  # type: ignore[no-any-return]
        # SQLite has no INSERT inside WITH: the claim, the post, then its counters.
        if claim and not self._slug_numbers.claim(post.slug):
            return None
        stmt = insert_of("sqlite")(posts).on_conflict_do_nothing(index_elements=["slug"])
        new_id = self._connection.execute(stmt.returning(posts.c.id), post_values(post)).scalar()
        if new_id is not None:
            adjust_post_counts(self._connection, Counter({(post.author.id, post.published): 1}))
        return new_id

    def add_many(self, new: Iterable[Post]) -> list[int]:
        ids: list[int] = []
        stmt = insert(posts).returning(posts.c.id, sort_by_parameter_order=True)
        for chunk in batched(new):
            self._slug_numbers.record([p.slug for p in chunk])  # first, as add() takes them
            added = list(self._connection.execute(stmt, [post_values(p) for p in chunk]).scalars())
            adjust_post_counts(self._connection, Counter((p.author.id, p.published) for p in chunk))
            tagged = [(post_id, p) for post_id, p in zip(added, chunk, strict=True) if p.tags]
            uses = Counter(tag for _, p in tagged if p.published for tag in p.tags)
            tag_ids = count_tags(self._connection, {t: uses[t] for _, p in tagged for t in p.tags})
            tag_posts(
                self._connection,
                ((i, tag_ids[t], p.published, p.created_at) for i, p in tagged for t in p.tags),
            )
            ids += added
        return ids

    def get(self, post_id: int, *, lock: bool = False, viewer_id: int | None = None) -> Post | None:
        values: dict[str, Any] = {"post_id": post_id}
        if lock:
            self._connection.execute(LOCK_POST_AUTHOR, values)
        stmt = get_post(viewer_id is not None, lock, postgres=self._postgres)
        return self._one(stmt, values, viewer_id, lock)

    def get_by_slug(self, slug: str, *, viewer_id: int | None = None) -> Post | None:
        stmt = get_post(viewer_id is not None, by_slug=True, postgres=self._postgres)
        return self._one(stmt, {"slug": slug}, viewer_id)

    def _one(
        self, stmt: Any, values: dict[str, Any], viewer_id: int | None, lock: bool = False
    ) -> Post | None:
        if viewer_id is not None:
            values["viewer_id"] = viewer_id
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
        if moves or post.tags != previous.tags:
            # The compare-and-set held: `previous` is what was stored, tags and state. New
            # tags are numbered in the order the post gives them.
            deltas = Counter({tag: 0 for tag in (*post.tags, *previous.tags)})
            deltas.subtract(previous.tags if previous.published else ())
            deltas.update(post.tags if post.published else ())
            untag_post(self._connection, stored(post.id))
            self._tag(stored(post.id), post, deltas)
        return True

    def _tag(self, post_id: int, post: Post, deltas: dict[str, int]) -> None:
        """Count the tags (after the post and its counters: one lock order) and link them."""
        if deltas:
            ids = count_tags(self._connection, deltas)
            rows = ((post_id, ids[tag], post.published, post.created_at) for tag in post.tags)
            tag_posts(self._connection, rows)

    def remove(self, post_id: int) -> None:
        self._connection.execute(LOCK_POST_AUTHOR, {"post_id": post_id})
        stmt = delete(posts).where(posts.c.id == post_id)
        returned = stmt.returning(posts.c.author_id, posts.c.published, posts.c.tag_list)
        gone = self._connection.execute(returned).all()
        adjust_post_counts(self._connection, Counter({(a, p): -1 for a, p, _ in gone}))
        # Its comments, favorites and tag links go by ON DELETE CASCADE; the tags' counts here.
        uses = Counter(tag for _, published, tags in gone if published for tag in tags_of(tags))
        if uses:
            count_tags(self._connection, {tag: -n for tag, n in uses.items()})

    def find(
        self, filters: PostFilter, window: Window, viewer_id: int | None = None
    ) -> Found[Post]:
        shape = Shape.of(filters, self._postgres)
        own_feed = viewer_id is not None and filters.followed_by == viewer_id
        stmt = post_page(
            shape,
            viewer_id is not None,
            window.after is not None,
            self._postgres,
            own_feed,
            window.within_search_count,
        )
        values = {**filter_values(filters, shape), **page_values(window)}
        if viewer_id is not None:
            values["viewer_id"] = viewer_id
        with planned_for_its_values(self._connection, when=bool(filters.search)):
            rows = read_rows(self._connection, stmt, values, on_driver=self._on_driver)
        return found(rows, post_from_row)

    def count(self, filters: PostFilter, at_most: int | None = None) -> int:
        """A kept count when one answers the filter (the totals, a tag's, the feed's); else
        the matches, counted up to `at_most`."""
        shape = Shape.of(filters, self._postgres)
        values = filter_values(filters, shape)
        stmt = kept_total(shape)
        if stmt is None:
            stmt, values["at_most"] = matches_count(shape), at_most or EVERY_ROW
        with planned_for_its_values(self._connection, when=shape.searching):
            total = int(one_value(self._connection, stmt, values, on_driver=self._on_driver) or 0)
        return total if at_most is None else min(total, at_most)
