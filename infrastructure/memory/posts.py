"""The fake of the post repository: posts, their slugs, pages, searches and totals."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import evolve

from application.paging import Found, Window
from application.ports import PostFilter
from domain.ids import stored
from domain.posts import RESERVED_SLUGS, Post, numbered_slug
from infrastructure.memory.store import (
    InMemoryStore,
    author_as_read,
    capped,
    contains,
    page_of,
    refers_to,
    search_total,
    unique,
)


class InMemoryPostRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, post: Post) -> Post:
        refers_to(self._store, caller=post.author.id)
        # As slugs.py: each base's last number, and every slug given recorded as a base.
        given = self._store.slug_numbers
        taken = {p.slug for p in self._store.posts.values()} | RESERVED_SLUGS
        number = given.get(post.slug, 0) + 1
        while (slug := numbered_slug(post.slug, number)) in taken or (number > 1 and slug in given):
            number += 1
        given[post.slug] = number
        return self._store_as(post, slug)  # as the SQL adapters: the post as given; no read

    def add_many(self, posts: Iterable[Post]) -> list[int]:
        """As the SQL adapters' bulk path: slugs stored as given, a taken one refused."""
        taken = {p.slug for p in self._store.posts.values()}
        ids = []
        for post in posts:
            refers_to(self._store, caller=post.author.id)
            unique(post.slug, taken)
            taken.add(post.slug)
            ids.append(stored(self._store_as(post, post.slug).id))
        return ids

    def _store_as(self, post: Post, slug: str) -> Post:
        """The post stored under `slug` and a new id, the slug recorded as given."""
        self._store.slug_numbers.setdefault(slug, 1)
        stored = evolve(post, id=self._store.take_id("posts"), slug=slug)
        self._number_tags(post)
        self._store.posts[stored.id] = self._as_stored(stored)  # type: ignore[index]
        return stored

    def get(self, post_id: int, *, lock: bool = False, viewer_id: int | None = None) -> Post | None:
        post = self._store.posts.get(post_id)
        return None if post is None else self._read(post, viewer_id)

    def get_by_slug(self, slug: str, *, viewer_id: int | None = None) -> Post | None:
        post = next((p for p in self._store.posts.values() if p.slug == slug), None)
        return None if post is None else self._read(post, viewer_id)

    def update(self, post: Post, previous: Post) -> bool:
        current = self._store.posts.get(post.id)  # type: ignore[arg-type]
        if current is None or current.version != previous.version:
            return False
        self._store.posts[post.id] = self._as_stored(post)  # type: ignore[index]
        self._number_tags(post)
        return True

    def _number_tags(self, post: Post) -> None:
        for tag in post.tags:
            self._store.tag_ids.setdefault(tag, len(self._store.tag_ids) + 1)

    def remove(self, post_id: int) -> None:
        store = self._store
        store.posts.pop(post_id, None)
        store.favorites = {k: at for k, at in store.favorites.items() if k[1] != post_id}
        store.comments = {k: c for k, c in store.comments.items() if c.post_id != post_id}

    def find(
        self, filters: PostFilter, window: Window, viewer_id: int | None = None
    ) -> Found[Post]:
        matching = self._matching(filters)
        items = [self._read(p, viewer_id) for p in page_of(matching, window)]
        # The total along with a page that has items, as the SQL adapters give it: none for
        # a search in a feed, nor for a user's favorites (counted apart).
        total: int | None = len(matching)
        if filters.search:
            total = None if filters.followed_by is not None else search_total(matching, window)
        elif filters.favorited_by is not None:
            total = None
        return Found(items, total=total if items else None)

    def count(self, filters: PostFilter, at_most: int | None = None) -> int:
        return capped(len(self._matching(filters)), at_most)

    def _matching(self, filters: PostFilter) -> list[Post]:
        text = filters.search
        store = self._store
        followed = {b for (a, b) in store.follows if a == filters.followed_by}
        return [
            p
            for p in store.posts.values()
            if p.published is filters.published
            and filters.author_id in (None, p.author.id)
            and (not text or contains(p.title, text) or contains(p.content, text))
            and (filters.tag is None or filters.tag in p.tags)
            and (filters.favorited_by is None or (filters.favorited_by, p.id) in store.favorites)
            and (filters.followed_by is None or p.author.id in followed)
        ]

    @staticmethod
    def _as_stored(post: Post) -> Post:
        """What a post row holds: counts and `favorited` are read, never stored."""
        return evolve(post, favorites_count=0, comments_count=0, favorited=False)

    def _read(self, post: Post, viewer_id: int | None) -> Post:
        """The author as they are now, and the counts, as the SQL reads them."""
        store = self._store
        return evolve(
            post,
            author=author_as_read(store, post.author, viewer_id),
            favorites_count=sum(1 for (_, p) in store.favorites if p == post.id),
            comments_count=sum(1 for c in store.comments.values() if c.post_id == post.id),
            favorited=(viewer_id, post.id) in store.favorites,
        )
