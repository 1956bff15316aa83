"""In-memory repositories and unit of work: the fakes the unit tests run use cases on."""

from __future__ import annotations

import copy
from collections.abc import Callable, Container, Iterable, Sized
from datetime import datetime
from typing import NoReturn, Self

from attrs import evolve

from application.paging import SEARCH_COUNTED, Found, Window
from application.ports import FollowStats, PostFilter, TagUse
from domain.comments import Comment
from domain.errors import (
    CallerDeleted,
    Conflict,
    EmailTaken,
    PostNotFound,
    ProfileNotFound,
    UsernameTaken,
)
from domain.links import LinkPurpose, LinkToken
from domain.mail import DeliveryFailed, MailStatus, OutgoingMail
from domain.posts import RESERVED_SLUGS, Author, Post, numbered_slug
from domain.sessions import LoginSession, SessionHolder
from domain.text import lowered
from domain.users import User, username_key


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


def _page(items: Iterable[User] | Iterable[Post] | Iterable[Comment], window: Window) -> list:  # type: ignore[type-arg]
    ordered = sorted(items, key=lambda item: (item.created_at, item.id), reverse=True)
    if window.after is not None:
        mark = (window.after.created_at, window.after.id)
        ordered = [item for item in ordered if (item.created_at, item.id) < mark]
    return ordered[window.offset : window.offset + window.limit]


def _at_most(count: int, limit: int | None) -> int:
    return count if limit is None else min(count, limit)


def _search_total(matching: Sized, window: Window) -> int | None:
    """A search's total as the SQL adapters read it with the page: its matches up to
    SEARCH_COUNTED, when the page lies within them (else counted apart)."""
    return min(len(matching), SEARCH_COUNTED) if window.within_search_count else None


def _contains(haystack: str, needle: str) -> bool:
    return lowered(needle) in lowered(haystack)


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise EmailTaken()  # the unique indexes' job in SQL
        if self._username_taken(user):
            raise UsernameTaken()
        stored = evolve(user, id=self._store.take_id("users"))
        self._store.users[stored.id] = stored  # type: ignore[index]
        return stored

    def add_many(self, users: Iterable[User]) -> list[int]:
        return [self.add(user).id for user in users]  # type: ignore[misc]

    def get(self, user_id: int, *, lock: bool = False) -> User | None:
        return self._store.users.get(user_id)

    def get_by_email(self, email: str, *, lock: bool = False) -> User | None:
        return next((u for u in self._store.users.values() if u.email == email), None)

    def get_by_username(self, username: str) -> User | None:
        key = username_key(username)
        return next(
            (u for u in self._store.users.values() if username_key(u.username) == key), None
        )

    def taken_usernames(self, keys: list[str]) -> set[str]:
        have = {username_key(u.username) for u in self._store.users.values()}
        return have.intersection(keys)

    def _username_taken(self, user: User) -> bool:
        other = self.get_by_username(user.username)
        return other is not None and other.id != user.id

    def save(self, user: User) -> None:
        other = self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise EmailTaken()
        if self._username_taken(user):
            raise UsernameTaken()
        if user.id in self._store.users:  # as SQL's UPDATE: a user removed meanwhile stays so
            self._store.users[user.id] = user  # type: ignore[index]

    def remove(self, user_id: int) -> None:
        self._store.users.pop(user_id, None)
        store = self._store
        gone = {k for k, p in store.posts.items() if p.author.id == user_id}
        store.posts = {k: p for k, p in store.posts.items() if k not in gone}
        store.sessions = {k: s for k, s in store.sessions.items() if s.user_id != user_id}
        store.follows = {k: at for k, at in store.follows.items() if user_id not in k}
        store.favorites = {
            (u, p): at for (u, p), at in store.favorites.items() if u != user_id and p not in gone
        }
        store.comments = {
            k: c for k, c in store.comments.items()
            if c.author.id != user_id and c.post_id not in gone
        }  # fmt: skip
        store.link_tokens = {k: t for k, t in store.link_tokens.items() if t.user_id != user_id}
        store.password_guesses = [g for g in store.password_guesses if g[0] != user_id]

    def lock_active_admin_ids(self) -> list[int]:
        return sorted(u.id for u in self._store.users.values() if u.is_active_admin)  # type: ignore[misc]

    def find(self, search: str | None, window: Window) -> Found[User]:
        matching = self._matching(search)
        items = _page(matching, window)
        total = _search_total(matching, window) if search else len(matching)
        return Found(items, total=total if items else None)

    def count(self, search: str | None, at_most: int | None = None) -> int:
        return _at_most(len(self._matching(search)), at_most)

    def _matching(self, search: str | None) -> list[User]:
        return [
            u
            for u in self._store.users.values()
            if not search or _contains(u.name, search) or _contains(u.email, search)
        ]


class InMemoryPostRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, post: Post) -> Post:
        _refers_to(self._store, caller=post.author.id)
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
            _refers_to(self._store, caller=post.author.id)
            _unique(post.slug, taken)
            taken.add(post.slug)
            ids.append(self._store_as(post, post.slug).id or 0)
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
        items = [self._read(p, viewer_id) for p in _page(matching, window)]
        # The total along with a page that has items, as the SQL adapters give it: none for
        # a search in a feed, nor for a user's favorites (counted apart).
        total: int | None = len(matching)
        if filters.search:
            total = None if filters.followed_by is not None else _search_total(matching, window)
        elif filters.favorited_by is not None:
            total = None
        return Found(items, total=total if items else None)

    def count(self, filters: PostFilter, at_most: int | None = None) -> int:
        return _at_most(len(self._matching(filters)), at_most)

    def _matching(self, filters: PostFilter) -> list[Post]:
        text = filters.search
        store = self._store
        followed = {b for (a, b) in store.follows if a == filters.followed_by}
        return [
            p
            for p in store.posts.values()
            if p.published is filters.published
            and filters.author_id in (None, p.author.id)
            and (not text or _contains(p.title, text) or _contains(p.content, text))
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
            author=_author_as_read(store, post.author, viewer_id),
            favorites_count=sum(1 for (_, p) in store.favorites if p == post.id),
            comments_count=sum(1 for c in store.comments.values() if c.post_id == post.id),
            favorited=(viewer_id, post.id) in store.favorites,
        )


def _author_as_read(store: InMemoryStore, author: Author, viewer_id: int | None) -> Author:
    """The author as they are now, as the SQL reads them with a post or a comment."""
    user = store.users.get(author.id)
    if user is None:
        return author
    return Author(
        id=author.id, name=user.name, username=user.username, bio=user.bio, image=user.image,
        following=(viewer_id, author.id) in store.follows,
    )  # fmt: skip


def _unique(key: object, taken: Container[object]) -> None:
    """A primary key's or a unique index's refusal in SQL: a Conflict, as unit_of_work says."""
    if key in taken:
        raise Conflict()


def _refers_to(store: InMemoryStore, *, caller: int | None, post: int | None = None) -> None:
    """The foreign keys' checks in SQL, as unit_of_work.GONE names their failures: the
    caller's own account gone, or the post acted on."""
    if caller is not None and caller not in store.users:
        raise CallerDeleted()
    if post is not None and post not in store.posts:
        raise PostNotFound()


class InMemoryFollowRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, follower_id: int, followed_id: int, at: datetime) -> None:
        _refers_to(self._store, caller=follower_id)
        if followed_id not in self._store.users:
            raise ProfileNotFound()  # the foreign key's job in SQL (unit_of_work.GONE)
        self._store.follows.setdefault((follower_id, followed_id), at)

    def remove(self, follower_id: int, followed_id: int) -> None:
        self._store.follows.pop((follower_id, followed_id), None)

    def add_many(self, follows: Iterable[tuple[int, int, datetime]]) -> None:
        for follower, followed, at in follows:
            _unique((follower, followed), self._store.follows)  # the bulk path adds a pair once
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
        _refers_to(self._store, caller=user_id, post=post_id)
        self._store.favorites.setdefault((user_id, post_id), at)

    def remove(self, user_id: int, post_id: int) -> None:
        self._store.favorites.pop((user_id, post_id), None)

    def add_many(self, favorites: Iterable[tuple[int, int, datetime]]) -> None:
        for user, post, at in favorites:
            _unique((user, post), self._store.favorites)  # the bulk path adds a pair once
            self.add(user, post, at)


class InMemoryCommentRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, comment: Comment) -> Comment:
        _refers_to(self._store, caller=comment.author.id, post=comment.post_id)
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
        items = [self._read(c, viewer_id) for c in _page(on_post, window)]
        return Found(items, total=len(on_post) if items else None)

    def count(self, post_id: int) -> int:
        return sum(1 for c in self._store.comments.values() if c.post_id == post_id)

    def _read(self, comment: Comment, viewer_id: int | None) -> Comment:
        return evolve(comment, author=_author_as_read(self._store, comment.author, viewer_id))


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


class InMemorySessionRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, session: LoginSession) -> None:
        if session.user_id not in self._store.users:
            raise Conflict()  # an unnamed foreign key in SQL (unit_of_work.GONE names others)
        _unique(session.id, self._store.sessions)
        self._store.sessions[session.id] = session

    def get_with_user(self, session_id: str) -> tuple[LoginSession, User] | None:
        session = self._store.sessions.get(session_id)
        user = None if session is None else self._store.users.get(session.user_id)
        return None if session is None or user is None else (session, user)

    def get_holder(self, session_id: str) -> SessionHolder | None:
        found = self.get_with_user(session_id)
        return None if found is None else SessionHolder.of(*found)

    def rotate(
        self, session_id: str, old_token_id: str, new_token_id: str, expires_at: datetime
    ) -> bool:
        session = self._store.sessions.get(session_id)
        if session is None or session.is_revoked or session.refresh_token_id != old_token_id:
            return False
        self._store.sessions[session_id] = evolve(
            session, refresh_token_id=new_token_id, expires_at=expires_at
        )
        return True

    def revoke(self, session_id: str, now: datetime) -> None:
        if session_id in self._store.sessions:
            self._store.sessions[session_id] = self._store.sessions[session_id].revoke(now)

    def remove_expired(self, user_id: int, now: datetime) -> None:
        self._store.sessions = {
            key: s for key, s in self._store.sessions.items()
            if s.user_id != user_id or not s.is_expired(now)
        }  # fmt: skip

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        for key, session in self._store.sessions.items():
            if session.user_id == user_id and key != keep:
                self._store.sessions[key] = session.revoke(now)


class InMemoryLoginAttemptRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def lock(self, email: str) -> None:
        pass  # one thread at a time in the tests that use it

    def add_failure(self, email: str, at: datetime) -> None:
        self._store.login_failures.append((email, at))

    def failures_since(self, email: str, since: datetime) -> list[datetime]:
        return sorted(at for who, at in self._store.login_failures if who == email and at > since)

    def clear(self, email: str) -> None:
        self._store.login_failures = [f for f in self._store.login_failures if f[0] != email]

    def prune(self, before: datetime) -> None:
        self._store.login_failures = [f for f in self._store.login_failures if f[1] >= before]


class InMemoryPasswordGuessRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, user_id: int, at: datetime) -> None:
        self._store.password_guesses.append((user_id, at))

    def since(self, user_id: int, since: datetime) -> list[datetime]:
        return sorted(
            at for who, at in self._store.password_guesses if who == user_id and at > since
        )

    def forget(self, user_id: int, before: datetime | None = None) -> None:
        self._store.password_guesses = [
            (who, at) for who, at in self._store.password_guesses
            if who != user_id or (before is not None and at >= before)
        ]  # fmt: skip


# What a read-only unit's repositories may be asked: reads, none of them with `lock`.
READS = frozenset({
    "get", "get_by_email", "get_by_username", "taken_usernames", "get_by_slug", "find",
    "count", "stats", "most_used", "get_with_user", "get_holder", "failures_since",
    "get_by_hash", "since",
})  # fmt: skip


class ReadOnlyRepository:
    """A repository of a read-only unit: a write or a lock is refused as it is asked for, even
    one that would change nothing, as PostgreSQL refuses it in a read-only transaction."""

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> Callable[..., object]:
        method: Callable[..., object] = getattr(self._repository, name)
        if name not in READS:
            return _refused

        def read(*args: object, **kwargs: object) -> object:
            if kwargs.get("lock"):
                _refused()
            return method(*args, **kwargs)

        return read


def _refused(*args: object, **kwargs: object) -> NoReturn:
    raise RuntimeError("a read-only unit of work cannot write or lock")


class InMemoryUnitOfWork:
    """Works on a copy of the store and swaps it in on commit, so no commit means no change.

    A read-only unit refuses to commit, and its repositories refuse any write or lock.
    """

    def __init__(self, store: InMemoryStore | None = None, *, writable: bool = True) -> None:
        self.store = store or InMemoryStore()
        self.committed = False
        self._writable = writable

    def read_only(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, writable=False)

    def __enter__(self) -> Self:
        self._work = work = self.store.snapshot()
        # The block's repositories, on its copy; as the SQL unit's, none is had outside a block.
        self._repositories = {
            "users": InMemoryUserRepository(work),
            "posts": InMemoryPostRepository(work),
            "sessions": InMemorySessionRepository(work),
            "login_attempts": InMemoryLoginAttemptRepository(work),
            "password_guesses": InMemoryPasswordGuessRepository(work),
            "follows": InMemoryFollowRepository(work),
            "favorites": InMemoryFavoriteRepository(work),
            "comments": InMemoryCommentRepository(work),
            "tags": InMemoryTagRepository(work),
            "link_tokens": InMemoryLinkTokenRepository(work),
            "link_requests": InMemoryLinkRequestRepository(work),
            "outbox": InMemoryOutboxRepository(work),
        }
        if not self._writable:
            self._repositories = {
                name: ReadOnlyRepository(repository)
                for name, repository in self._repositories.items()
            }
        vars(self).update(self._repositories)
        return self

    def __exit__(self, *exc: object) -> None:
        del self._work
        for name in self._repositories:
            delattr(self, name)

    def commit(self) -> None:
        if not self._writable:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.store.__dict__.update(self._work.snapshot().__dict__)
        self.committed = True


# E-mail verification, password reset and the outbox.


class InMemoryLinkTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, token: LinkToken, *, keep: bool = True) -> None:
        if keep:
            _refers_to(self._store, caller=token.user_id)
            _unique(token.token_hash, {t.token_hash for t in self._store.link_tokens.values()})
            token_id = self._store.take_id("link_tokens")
            self._store.link_tokens[token_id] = evolve(token, id=token_id)

    def get_by_hash(self, token_hash: str) -> LinkToken | None:
        found = (t for t in self._store.link_tokens.values() if t.token_hash == token_hash)
        return next(found, None)

    def use(self, token_id: int, now: datetime) -> bool:
        token = self._store.link_tokens.get(token_id)
        if token is None or token.used_at is not None:
            return False
        self._store.link_tokens[token_id] = evolve(token, used_at=now)
        return True

    def use_all(self, user_id: int, purpose: LinkPurpose, now: datetime) -> None:
        for key, token in self._store.link_tokens.items():
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None:
                self._store.link_tokens[key] = evolve(token, used_at=now)

    def prune(self, before: datetime) -> None:
        self._store.link_tokens = {
            key: t for key, t in self._store.link_tokens.items() if t.expires_at >= before
        }


class InMemoryLinkRequestRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def lock(self, purpose: LinkPurpose, key: str) -> None:
        pass  # one thread at a time in the tests that use it

    def add(self, purpose: LinkPurpose, key: str, at: datetime) -> None:
        self._store.link_requests.append((purpose, key, at))

    def since(self, purpose: LinkPurpose, key: str, since: datetime) -> list[datetime]:
        return sorted(
            at for p, k, at in self._store.link_requests if (p, k) == (purpose, key) and at > since
        )

    def prune(self, before: datetime) -> None:
        self._store.link_requests = [r for r in self._store.link_requests if r[2] >= before]


class InMemoryOutboxRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, mail: OutgoingMail, *, keep: bool = True) -> OutgoingMail:
        if not keep:
            return mail
        _unique(mail.message_id, {m.message_id for m in self._store.outbox.values()})
        stored = evolve(mail, id=self._store.take_id("outbox"))
        self._store.outbox[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, mail_id: int) -> OutgoingMail | None:
        mail = self._store.outbox.get(mail_id)
        return None if mail is None else self._as_read(mail)

    def _as_read(self, mail: OutgoingMail) -> OutgoingMail:
        """With its claim's lease, as the SQL adapters read it from the row."""
        claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
        return mail if claim is None else evolve(mail, held_until=claim[1])

    def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutgoingMail]:
        def free(mail: OutgoingMail) -> bool:
            claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
            return claim is None or claim[1] <= now

        due = sorted(
            (
                m for m in self._store.outbox.values()
                if m.status is MailStatus.QUEUED and m.next_attempt_at <= now and free(m)
            ),
            key=lambda m: (m.next_attempt_at, m.id),
        )[:limit]  # fmt: skip
        claimed = []
        for mail in due:
            counted = evolve(mail, attempts=mail.attempts + 1)
            self._store.outbox[mail.id] = counted  # type: ignore[index]
            self._store.claims[mail.id] = (worker, lease_until)  # type: ignore[index]
            claimed.append(evolve(counted, held_until=lease_until))
        return claimed

    def settle(self, mail: OutgoingMail, worker: str | None = None) -> bool:
        claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
        if mail.id not in self._store.outbox or (
            worker is not None and (claim is None or claim[0] != worker)
        ):
            return False
        kept = self._store.outbox[mail.id]  # type: ignore[index]
        state = evolve(
            kept, status=mail.status, attempts=mail.attempts,
            next_attempt_at=mail.next_attempt_at, sent_at=mail.sent_at,
            last_error=mail.last_error,
        )  # fmt: skip
        if mail.status is MailStatus.SENT:
            state = evolve(state, text="", html="")
        self._store.outbox[mail.id] = state  # type: ignore[index]
        self._store.claims.pop(mail.id, None)  # type: ignore[arg-type]
        return True

    def expire_links(
        self, recipient: str, now: datetime, purpose: LinkPurpose | None = None
    ) -> None:
        for key, mail in self._store.outbox.items():
            unsent = mail.status is not MailStatus.SENT and mail.recipient == recipient
            if purpose is not None and mail.kind != purpose:
                continue
            if unsent and mail.link_expires_at is not None and mail.link_expires_at > now:
                self._store.outbox[key] = evolve(mail, link_expires_at=now)

    def find(self, status: MailStatus | None, limit: int) -> list[OutgoingMail]:
        found = [m for m in self._store.outbox.values() if status in (None, m.status)]
        newest = sorted(found, key=lambda m: (m.created_at, m.id), reverse=True)[:limit]
        return [self._as_read(mail) for mail in newest]


class InMemoryMailSender:
    """A mail server in memory: records what it is given, and fails as told: `down` (every
    message, for another try), or `refuse` (a recipient's messages, with a failure of choice).
    `meanwhile` runs as a message is being sent, as a signal could arrive then."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.down = False
        self.refuse: dict[str, DeliveryFailed] = {}
        self.meanwhile: Callable[[OutgoingMail], object] | None = None

    def send(self, mail: OutgoingMail) -> None:
        if self.meanwhile is not None:
            self.meanwhile(mail)
        if self.down:
            raise DeliveryFailed("ConnectionRefusedError: [Errno 111] Connection refused")
        if mail.recipient in self.refuse:
            raise self.refuse[mail.recipient]
        self.sent.append(mail)
