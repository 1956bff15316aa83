"""Test data factories: valid by default, any field overridable."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from application.users import Registration
from domain.comments import Comment
from domain.links import LinkPurpose, LinkToken
from domain.mail import OutgoingMail
from domain.posts import Author, Post, slug_of
from domain.sessions import LoginSession
from domain.users import Actor, Role, User

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PASSWORD = "Correct-Horse-9"
_serial = itertools.count(1)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_user(**overrides: Any) -> User:
    n = next(_serial)
    values: dict[str, Any] = {
        "id": None,
        "email": f"user{n}@example.com",
        "name": f"User {n}",
        "username": f"user{n}",
        "password_hash": "not-a-real-hash",
        "role": Role.USER,
        "is_active": True,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(overrides)
    return User(**values)


def make_post(author: User | Author, **overrides: Any) -> Post:
    n = next(_serial)
    if isinstance(author, User):
        author = Author(id=author.id or 0, name=author.name, username=author.username)
    values: dict[str, Any] = {
        "id": None,
        "author": author,
        "title": f"Post {n}",
        "content": f"Content of post {n}",
        "published": True,
        "published_at": T0,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(overrides)
    values.setdefault("slug", slug_of(values["title"]))  # as Post.write makes it
    if not values["published"] and "published_at" not in overrides:
        values["published_at"] = None
    return Post(**values)


def make_session(user_id: int | None, **overrides: Any) -> LoginSession:
    """A live login session of the user, opened at T0 (or `created_at`) for a day."""
    created_at = overrides.pop("created_at", T0)
    values: dict[str, Any] = {
        "id": "s1",
        "refresh_token_id": "r",
        "expires_at": created_at + timedelta(days=1),
    }
    values.update(overrides)
    return LoginSession(user_id=user_id or 0, created_at=created_at, **values)


def actor_for(user: User, session_id: str = "test-session") -> Actor:
    assert user.id is not None
    return Actor(
        id=user.id, name=user.name, role=user.role, session_id=session_id, username=user.username,
        bio=user.bio, image=user.image,
    )  # fmt: skip


def registration(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    body = {"email": f"person{n}@example.com", "name": f"Person {n}", "password": PASSWORD}
    body.update(overrides)
    return body


def author_of(user: User) -> Author:
    """How a post or a comment shows its author."""
    return Author(id=user.id or 0, name=user.name, username=user.username)


def make_comment(post: Post, author: User | Author, **overrides: Any) -> Comment:
    """A comment on a stored post, written at T0 unless told otherwise."""
    n = next(_serial)
    values: dict[str, Any] = {
        "id": None,
        "post_id": post.id,
        "author": author_of(author) if isinstance(author, User) else author,
        "body": f"Comment {n}",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(overrides)
    return Comment(**values)


def make_mail(**overrides: Any) -> OutgoingMail:
    """A queued message, due at T0 (or `created_at`)."""
    n = next(_serial)
    created_at = overrides.pop("created_at", T0)
    values: dict[str, Any] = {
        "id": None,
        "message_id": f"<m{n}@quill.test>",
        "kind": "test",
        "recipient": f"to{n}@example.com",
        "subject": f"Message {n}",
        "text": f"Text of message {n}",
        "html": f"<p>HTML of message {n}</p>",
        "created_at": created_at,
        "next_attempt_at": created_at,
    }
    values.update(overrides)
    return OutgoingMail(**values)


def make_link(user: User, token: str = "a-token", **overrides: Any) -> LinkToken:
    """A reset link of `user` for their address, issued at T0 for 30 minutes."""
    values: dict[str, Any] = {
        "purpose": LinkPurpose.RESET,
        "user_id": user.id,
        "email": user.email,
        "token": token,
        "now": T0,
        "ttl": timedelta(minutes=30),
    }
    values.update(overrides)
    return LinkToken.issue(**values)


# Arrangements the unit tests share (tests/unit): the same values in every module that uses them.

LATER = T0 + timedelta(hours=1)
NEW_PASSWORD = "Brand-New-Pass-7"
IMAGE = "https://example.com/ann.png"


def at(minutes_ago: int) -> dict[str, Any]:
    """A post's times, `minutes_ago` before T0: created, updated and published then."""
    stamp = T0 - timedelta(minutes=minutes_ago)
    return {"created_at": stamp, "updated_at": stamp, "published_at": stamp}


def make_registration(**overrides: Any) -> Registration:
    """Ann's registration as the use cases take it: valid, in the name "Ann Smith"."""
    values: dict[str, Any] = {"email": "ann@example.com", "name": "Ann Smith", "password": PASSWORD}
    values.update(overrides)
    return Registration(**values)


def write_post(author: Author, **overrides: Any) -> Post:
    """A new post as Post.write makes it: by default the draft "Hello", "World", at T0."""
    values: dict[str, Any] = {
        "author": author,
        "title": "Hello",
        "content": "World",
        "published": False,
        "now": T0,
    }
    values.update(overrides)
    return Post.write(**values)


def make_actor(actor_id: int, role: Role = Role.USER) -> Actor:
    """A caller known by id alone, for the domain's rules (no stored user behind it)."""
    return Actor(id=actor_id, name=f"Actor {actor_id}", role=role, session_id="s")
