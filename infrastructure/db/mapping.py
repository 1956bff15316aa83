"""Mappers between rows and entities. SQLite forgets time zones, so readers re-attach UTC.

PostgreSQL's connections are set to UTC (make_engine), so its timestamps arrive as UTC already.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from domain.comments import Comment
from domain.posts import Author, Post
from domain.sessions import LoginSession, SessionHolder
from domain.times import in_utc
from domain.users import Role, User


def maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else in_utc(value)


ROLES = {role.value: role for role in Role}  # per row, a dict lookup is cheaper than Role(...)
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "is_active", "created_at",
                "updated_at", "username", "bio", "image", "email_verified")  # fmt: skip


@cache
def _user_columns(prefix: str) -> itemgetter[Any]:
    """`prefix` tells this table's columns apart in a join (`u_id`, `u_name`, ...)."""
    return itemgetter(*(f"{prefix}{name}" for name in USER_COLUMNS))


def user_from_row(row: Mapping[str, Any], prefix: str = "") -> User:
    (id_, email, name, password_hash, role, is_active, created, updated, username, bio,
     image, verified) = _user_columns(prefix)(row)  # fmt: skip
    return User(
        id=id_, email=email, name=name, password_hash=password_hash, role=ROLES[role],
        is_active=is_active, created_at=in_utc(created), updated_at=in_utc(updated),
        username=username, bio=bio, image=image, email_verified=verified,
    )  # fmt: skip


def user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email, "name": user.name, "password_hash": user.password_hash,
        "role": user.role.value, "is_active": user.is_active,
        "created_at": user.created_at, "updated_at": user.updated_at,
        "username": user.username, "bio": user.bio, "image": user.image,
        "email_verified": user.email_verified,
    }  # fmt: skip


def tags_of(tag_list: str) -> tuple[str, ...]:
    """Tags are stored joined by commas, which no tag contains."""
    return tuple(tag_list.split(",")) if tag_list else ()


def author_from_row(row: Mapping[str, Any]) -> Author:
    """The author read with a post or a comment (see infrastructure.db.readers)."""
    return Author(
        id=row["author_id"], name=row["author_name"], username=row["author_username"],
        bio=row["author_bio"], image=row["author_image"],
        following=bool(row["author_following"]),
    )  # fmt: skip


def post_from_row(row: Mapping[str, Any]) -> Post:
    """A post row with its author, and whether the reader favorited it."""
    author = author_from_row(row)
    return Post(
        id=row["id"], author=author, title=row["title"], content=row["content"],
        published=row["published"], published_at=maybe_utc(row["published_at"]),
        created_at=in_utc(row["created_at"]), updated_at=in_utc(row["updated_at"]),
        version=row["version"], slug=row["slug"], summary=row["summary"],
        tags=tags_of(row["tag_list"]), favorites_count=row["favorites_count"],
        comments_count=row["comments_count"], favorited=bool(row["favorited"]),
    )  # fmt: skip


def post_values(post: Post) -> dict[str, Any]:
    """What a post's row holds of it: not its counts, which the repositories keep."""
    return {
        "author_id": post.author.id, "title": post.title, "content": post.content,
        "published": post.published, "published_at": post.published_at,
        "created_at": post.created_at, "updated_at": post.updated_at, "version": post.version,
        "slug": post.slug, "summary": post.summary, "tag_list": ",".join(post.tags),
    }  # fmt: skip


def comment_from_row(row: Mapping[str, Any]) -> Comment:
    """A comment row with its author as they are now."""
    author = author_from_row(row)
    return Comment(
        id=row["id"], post_id=row["post_id"], author=author, body=row["body"],
        created_at=in_utc(row["created_at"]), updated_at=in_utc(row["updated_at"]),
    )  # fmt: skip


def session_from_row(row: Mapping[str, Any]) -> LoginSession:
    return LoginSession(
        id=row["id"], user_id=row["user_id"], refresh_token_id=row["refresh_token_id"],
        created_at=in_utc(row["created_at"]), expires_at=in_utc(row["expires_at"]),
        revoked_at=maybe_utc(row["revoked_at"]),
    )  # fmt: skip


def session_holder_from_row(row: Mapping[str, Any]) -> SessionHolder:
    return SessionHolder(
        session_id=row["id"], user_id=row["user_id"], name=row["name"], role=ROLES[row["role"]],
        user_is_active=row["is_active"], session_revoked=row["revoked_at"] is not None,
        username=row["username"],
        email_verified=row["email_verified"], bio=row["bio"], image=row["image"],
    )  # fmt: skip


def session_values(session: LoginSession) -> dict[str, Any]:
    return {
        "id": session.id, "user_id": session.user_id,
        "refresh_token_id": session.refresh_token_id, "created_at": session.created_at,
        "expires_at": session.expires_at, "revoked_at": session.revoked_at,
    }  # fmt: skip
