"""The fakes' 'database' (rows keyed by id, sequences) and what several fakes share:
paging, capped counts, uniqueness and references as the databases check them."""

from __future__ import annotations

import copy
from collections.abc import Container, Iterable, Sized
from datetime import datetime

from application.paging import SEARCH_COUNTED, Window
from domain.comments import Comment
from domain.errors import (
    CallerDeleted,
    Conflict,
    PostNotFound,
)
from domain.links import LinkPurpose, LinkToken
from domain.mail import OutgoingMail
from domain.posts import Author, Post
from domain.sessions import LoginSession
from domain.text import lowered
from domain.users import User


class InMemoryStore:
    """The 'database': rows keyed by id, plus sequences."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.posts: dict[int, Post] = {}
        self.sessions: dict[str, LoginSession] = {}
        self.login_failures: list[tuple[str, datetime]] = []
        self.password_guesses: list[tuple[int, datetime]] = []  # (user id, when)
        self.follows: dict[tuple[int, int], datetime] = {}  # (follower, followed) -> since
        self.favorites: dict[tuple[int, int], datetime] = {}  # (user, post) -> since
        self.comments: dict[int, Comment] = {}
        self.tag_ids: dict[str, int] = {}  # the order tags were first stored in
        self.slug_numbers: dict[str, int] = {}  # base -> the last number given
        self.next_id = {"users": 1, "posts": 1, "comments": 1, "link_tokens": 1, "outbox": 1}
        self.link_tokens: dict[int, LinkToken] = {}
        self.link_requests: list[tuple[LinkPurpose, str, datetime]] = []
        self.outbox: dict[int, OutgoingMail] = {}
        self.claims: dict[int, tuple[str, datetime]] = {}  # mail id: (worker, until)

    def snapshot(self) -> InMemoryStore:
        """Entities are immutable, so copying the containers is a full copy."""
        clone = InMemoryStore()
        clone.__dict__.update({key: copy.copy(value) for key, value in self.__dict__.items()})
        return clone

    def take_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table] - 1


def page_of(items: Iterable[User] | Iterable[Post] | Iterable[Comment], window: Window) -> list:  # type: ignore[type-arg]
    ordered = sorted(items, key=lambda item: (item.created_at, item.id), reverse=True)
    if window.after is not None:
        mark = (window.after.created_at, window.after.id)
        ordered = [item for item in ordered if (item.created_at, item.id) < mark]
    return ordered[window.offset : window.offset + window.limit]


def capped(count: int, limit: int | None) -> int:
    return count if limit is None else min(count, limit)


def search_total(matching: Sized, window: Window) -> int | None:
    """A search's total as the SQL adapters read it with the page: its matches up to
    SEARCH_COUNTED, when the page lies within them (else counted apart)."""
    return min(len(matching), SEARCH_COUNTED) if window.within_search_count else None


def contains(haystack: str, needle: str) -> bool:
    return lowered(needle) in lowered(haystack)


def unique(key: object, taken: Container[object]) -> None:
    """A primary key's or a unique index's refusal in SQL: a Conflict, as unit_of_work says."""
    if key in taken:
        raise Conflict()


def refers_to(store: InMemoryStore, *, caller: int | None, post: int | None = None) -> None:
    """The foreign keys' checks in SQL, as the repositories' locks and unit_of_work.GONE name
    their failures: the caller's own account gone, or the post acted on."""
    if caller is not None and caller not in store.users:
        raise CallerDeleted()
    if post is not None and post not in store.posts:
        raise PostNotFound()


def author_as_read(store: InMemoryStore, author: Author, viewer_id: int | None) -> Author:
    """The author as they are now, as the SQL reads them with a post or a comment."""
    user = store.users.get(author.id)
    if user is None:
        return author
    return Author(
        id=author.id, name=user.name, username=user.username, bio=user.bio, image=user.image,
        following=(viewer_id, author.id) in store.follows,
    )  # fmt: skip
