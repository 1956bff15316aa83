"""Sample data: a small, friendly set for trying Quill, and large volumes for measuring it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from attrs import frozen

from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.posts import Author, Post
from domain.users import Role, User, derived_usernames

SAMPLE_ADMIN = "admin@quill.example"
SAMPLE_AUTHORS = (("Ada Lovelace", "ada@quill.example"), ("Alan Turing", "alan@quill.example"))
WORDS = [
    "quill",
    "ink",
    "paper",
    "draft",
    "essay",
    "letter",
    "story",
    "notes",
    "garden",
    "river",
    "mountain",
    "coffee",
    "morning",
    "evening",
    "travel",
    "music",
    "code",
    "design",
    "habit",
    "winter",
    "summer",
]
BATCH = 5000


@frozen(kw_only=True)
class SeedReport:
    created: bool
    admin_email: str
    admin_password: str | None
    users: int
    posts: int


def _password() -> str:
    """Random, yet within the password policy (an upper-case letter and a digit)."""
    return f"Q{secrets.token_urlsafe(12)}7"


def _text(n: int, length: int) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(length))


@frozen
class SeedSampleData:
    """Safe to run twice: if the sample admin exists, nothing is added."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    def __call__(self) -> SeedReport:
        now = self.clock()
        password = None
        users = posts = 0
        with self.uow as uow:
            if uow.users.get_by_email(SAMPLE_ADMIN) is None:
                password = _password()
                uow.users.add(self._user(SAMPLE_ADMIN, "Quill Admin", password, Role.ADMIN, now))
                users += 1
            for n, (name, email) in enumerate(SAMPLE_AUTHORS):
                if uow.users.get_by_email(email) is not None:
                    continue  # each sample account is added once, whatever happened since
                author = uow.users.add(self._user(email, name, _password(), Role.USER, now))
                users += 1
                for k in range(3):
                    uow.posts.add(self._post(author, n * 3 + k, published=k != 2, now=now))
                    posts += 1
            if users:
                uow.commit()
        return SeedReport(
            created=users > 0,
            admin_email=SAMPLE_ADMIN,
            admin_password=password,
            users=users,
            posts=posts,
        )

    def _user(self, email: str, name: str, password: str, role: Role, now: datetime) -> User:
        password_hash = self.hasher.hash(password)
        username = next(derived_usernames(name))
        return User.register(
            email=email, name=name, username=username, password_hash=password_hash, role=role,
            now=now,
        )  # fmt: skip

    @staticmethod
    def _post(author: User, n: int, published: bool, now: datetime) -> Post:
        return Post.write(
            author=Author(id=author.id or 0, name=author.name, username=author.username),
            title=f"{author.name.split()[0]}'s {WORDS[n]} notes",
            content=_text(n, 40),
            published=published,
            now=now - timedelta(minutes=10 * n),
        )


@frozen
class SeedVolume:
    """Bulk load for benchmarks: batched inserts in one transaction, progress per batch."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    def __call__(
        self, users: int, posts: int, progress: Callable[[str, int], None] = lambda *_: None
    ) -> SeedReport:
        now = self.clock()
        run = secrets.token_hex(4)  # distinct e-mails, so a second run adds rather than clashes
        password_hash = self.hasher.hash(_password())
        with self.uow as uow:
            ids: list[int] = []
            for start in range(0, users, BATCH):
                ids += uow.users.add_many(
                    User.register(
                        email=f"user{i}-{run}@seed.example",
                        name=f"Seed User {i} {run}",
                        username=f"seed_{run}_{i}",
                        password_hash=password_hash,
                        now=now - timedelta(seconds=users - i),
                    )
                    for i in range(start, min(start + BATCH, users))
                )
                progress("users", len(ids))
            for start in range(0, posts if ids else 0, BATCH):
                stop = min(start + BATCH, posts)
                uow.posts.add_many(self._post(i, ids, now) for i in range(start, stop))
                progress("posts", min(start + BATCH, posts))
            uow.commit()
        return SeedReport(
            created=True,
            admin_email="",
            admin_password=None,
            users=len(ids),
            posts=posts if ids else 0,
        )

    @staticmethod
    def _post(i: int, author_ids: list[int], now: datetime) -> Post:
        author_id = author_ids[i % len(author_ids)]
        stamp = now - timedelta(seconds=i)
        return Post.write(
            author=Author(id=author_id, name=""),
            title=f"Post {i}: {WORDS[i % len(WORDS)]}",
            content=_text(i, 30),
            published=i % 10 != 0,
            now=stamp,
        )
