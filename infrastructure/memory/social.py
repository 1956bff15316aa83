"""Fakes of the social repositories: follows, favorites, comments, tags."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import evolve

from application.paging import Found, Window
from application.ports import FollowStats, TagUse
from domain.comments import Comment
from domain.errors import ProfileNotFound
from infrastructure.memory.store import InMemoryStore, author_as_read, page_of, refers_to, unique


class InMemoryFollowRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, follower_id: int, followed_id: int, at: datetime) -> None:
        refers_to(self._store, caller=follower_id)
        if followed_id not in self._store.users:
            raise ProfileNotFound()  # found by the lock in SQL (follows.LOCK_BOTH)
        self._store.follows.setdefault((follower_id, followed_id), at)

    def remove(self, follower_id: int, followed_id: int) -> None:
        self._store.follows.pop((follower_id, followed_id), None)

    def add_many(self, follows: Iterable[tuple[int, int, datetime]]) -> None:
        for follower, followed, at in follows:
            unique((follower, followed), self._store.follows)  # the bulk path adds a pair once
            self.add(follower, followed, at)

    def stats(self, user_id: int, viewer_id: int | None) -> FollowStats:
        follows = self._store.follows
        return FollowStats(
            following=(viewer_id, user_id) in follows,
            followers=sum(1 for (_, b) in follows if b == user_id),
            follows=sum(1 for (a, _) in follows if a == user_id),
        )


class InMemoryFavoriteRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, user_id: int, post_id: int, at: datetime) -> None:
        refers_to(self._store, caller=user_id, post=post_id)
        self._store.favorites.setdefault((user_id, post_id), at)

    def remove(self, user_id: int, post_id: int) -> None:
        self._store.favorites.pop((user_id, post_id), None)

    def add_many(self, favorites: Iterable[tuple[int, int, datetime]]) -> None:
        for user, post, at in favorites:
            unique((user, post), self._store.favorites)  # the bulk path adds a pair once
            self.add(user, post, at)


class InMemoryCommentRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, comment: Comment) -> Comment:
        refers_to(self._store, caller=comment.author.id, post=comment.post_id)
        stored = evolve(comment, id=self._store.take_id("comments"))
        self._store.comments[stored.id] = stored  # type: ignore[index]
        return stored  # as the SQL adapters: the comment as given, numbered; no read

    def add_many(self, comments: Iterable[Comment]) -> None:
        for comment in comments:
            self.add(comment)

    def get(self, comment_id: int, viewer_id: int | None = None) -> Comment | None:
        comment = self._store.comments.get(comment_id)
        return None if comment is None else self._read(comment, viewer_id)

    def remove(self, comment_id: int) -> bool:
        return self._store.comments.pop(comment_id, None) is not None

    def find(self, post_id: int, window: Window, viewer_id: int | None = None) -> Found[Comment]:
        on_post = [c for c in self._store.comments.values() if c.post_id == post_id]
        items = [self._read(c, viewer_id) for c in page_of(on_post, window)]
        return Found(items, total=len(on_post) if items else None)

    def count(self, post_id: int) -> int:
        return sum(1 for c in self._store.comments.values() if c.post_id == post_id)

    def _read(self, comment: Comment, viewer_id: int | None) -> Comment:
        return evolve(comment, author=author_as_read(self._store, comment.author, viewer_id))


class InMemoryTagRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def most_used(self, limit: int) -> list[TagUse]:
        uses: dict[str, int] = {}
        for post in self._store.posts.values():
            if post.published:
                for tag in post.tags:
                    uses[tag] = uses.get(tag, 0) + 1
        ids = self._store.tag_ids
        ranked = sorted(uses.items(), key=lambda item: (-item[1], -ids.get(item[0], 0)))
        return [TagUse(name=name, posts=n) for name, n in ranked[:limit]]
