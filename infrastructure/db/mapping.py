"""Mappers between rows and entities. SQLite forgets time zones, so readers re-attach UTC.

PostgreSQL's connections are set to UTC (make_engine), so its timestamps arrive as UTC already.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from domain.posts import Author, Post
from domain.sessions import LoginSession, SessionHolder
from domain.times import in_utc
from domain.users import Role, User


def maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else in_utc(value)


ROLES = {role.value: role for role in Role}  # per row, a dict lookup is cheaper than Role(...)
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "is_active", "created_at",
                "updated_at", "email_verified")  # fmt: skip


@cache
def _user_columns(prefix: str) -> itemgetter[Any]:
    """`prefix` tells this table's columns apart in a join (`u_id`, `u_name`, ...)."""
    return itemgetter(*(f"{prefix}{name}" for name in USER_COLUMNS))


def user_from_row(row: Mapping[str, Any], prefix: str = "") -> User:
    id_, email, name, password_hash, role, is_active, created, updated, verified = _user_columns(
        prefix
    )(row)
    return User(
        id=id_, email=email, name=name, password_hash=password_hash, role=ROLES[role],
        is_active=is_active, created_at=in_utc(created), updated_at=in_utc(updated),
        email_verified=verified,
    )  # fmt: skip


def user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email, "name": user.name, "password_hash": user.password_hash,
        "role": user.role.value, "is_active": user.is_active,
        "created_at": user.created_at, "updated_at": user.updated_at,
        "email_verified": user.email_verified,
    }  # fmt: skip


def post_from_row(row: Mapping[str, Any]) -> Post:
    """A post row joined with its author's name (`author_name`)."""
    return Post(
        id=row["id"], author=Author(id=row["author_id"], name=row["author_name"]),
        title=row["title"], content=row["content"], published=row["published"],
        published_at=maybe_utc(row["published_at"]), created_at=in_utc(row["created_at"]),
        updated_at=in_utc(row["updated_at"]), version=row["version"],
    )  # fmt: skip


def post_values(post: Post) -> dict[str, Any]:
    return {
        "author_id": post.author.id, "title": post.title, "content": post.content,
        "published": post.published, "published_at": post.published_at,
        "created_at": post.created_at, "updated_at": post.updated_at, "version": post.version,
    }  # fmt: skip


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
        email_verified=row["email_verified"],
    )  # fmt: skip


def session_values(session: LoginSession) -> dict[str, Any]:
    return {
        "id": session.id, "user_id": session.user_id,
        "refresh_token_id": session.refresh_token_id, "created_at": session.created_at,
        "expires_at": session.expires_at, "revoked_at": session.revoked_at,
    }  # fmt: skip
