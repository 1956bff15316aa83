"""Fakes of the accounts' repositories: users, login sessions, failed logins, wrong current
passwords."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import evolve

from application.paging import Found, Window
from domain.errors import (
    Conflict,
    EmailTaken,
    UsernameTaken,
)
from domain.sessions import LoginSession, SessionHolder
from domain.users import User, username_key
from infrastructure.memory.store import (
    InMemoryStore,
    capped,
    contains,
    page_of,
    search_total,
    unique,
)


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

    def lock_active_admin_ids(
        self, with_user: int | None = None, *, with_ties: bool = False
    ) -> list[int]:
        return sorted(u.id for u in self._store.users.values() if u.is_active_admin)  # type: ignore[misc]

    def find(self, search: str | None, window: Window) -> Found[User]:
        matching = self._matching(search)
        items = page_of(matching, window)
        total = search_total(matching, window) if search else len(matching)
        return Found(items, total=total if items else None)

    def count(self, search: str | None, at_most: int | None = None) -> int:
        return capped(len(self._matching(search)), at_most)

    def _matching(self, search: str | None) -> list[User]:
        return [
            u
            for u in self._store.users.values()
            if not search or contains(u.name, search) or contains(u.email, search)
        ]


class InMemorySessionRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, session: LoginSession) -> None:
        if session.user_id not in self._store.users:
            raise Conflict()  # an unnamed foreign key in SQL (unit_of_work.GONE names others)
        unique(session.id, self._store.sessions)
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
