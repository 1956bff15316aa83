"""Login sessions and failed-login records, on a Core connection; never committing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from domain.sessions import LoginSession, SessionHolder
from domain.times import in_utc
from domain.users import User
from infrastructure.db.driver_reads import one_row
from infrastructure.db.mapping import (
    session_from_row,
    session_holder_from_row,
    session_values,
    user_from_row,
)
from infrastructure.db.models import LoginAttemptRow, PasswordGuessRow, SessionRow, UserRow

users, sessions, attempts = UserRow.__table__, SessionRow.__table__, LoginAttemptRow.__table__
guesses = PasswordGuessRow.__table__

SESSION_WITH_USER = (
    select(sessions, *(column.label(f"u_{column.name}") for column in users.c))
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id == bindparam("session_id"))
)
# Authenticating a request: the session's state and its user's, not both whole rows.
SESSION_HOLDER = (
    select(
        sessions.c.id,
        sessions.c.revoked_at,
        users.c.id.label("user_id"),
        users.c.name,
        users.c.username,
        users.c.role,
        users.c.is_active,
        users.c.email_verified,
        users.c.bio,
        users.c.image,
    )
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id == bindparam("session_id"))
)


class SqlSessionRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        """`on_driver`: in a read-only unit, reads run on the driver's cursor (driver_reads)."""
        self._connection = connection
        self._on_driver = on_driver

    def add(self, session: LoginSession) -> None:
        self._connection.execute(insert(sessions).values(**session_values(session)))

    def get_with_user(self, session_id: str) -> tuple[LoginSession, User] | None:
        row = self._first(SESSION_WITH_USER, session_id)
        return None if row is None else (session_from_row(row), user_from_row(row, "u_"))

    def get_holder(self, session_id: str) -> SessionHolder | None:
        row = self._first(SESSION_HOLDER, session_id)
        return None if row is None else session_holder_from_row(row)

    def rotate(
        self, session_id: str, old_token_id: str, new_token_id: str, expires_at: datetime
    ) -> bool:
        stmt = (
            update(sessions)
            .where(
                sessions.c.id == session_id,
                sessions.c.refresh_token_id == old_token_id,
                sessions.c.revoked_at.is_(None),
            )
            .values(refresh_token_id=new_token_id, expires_at=expires_at)
        )
        return self._connection.execute(stmt).rowcount == 1

    def revoke(self, session_id: str, now: datetime) -> None:
        self._revoke(sessions.c.id == session_id, now)

    def remove_expired(self, user_id: int, now: datetime) -> None:
        stmt = delete(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at <= now)
        self._connection.execute(stmt)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        condition = sessions.c.user_id == user_id
        if keep is not None:
            condition = and_(condition, sessions.c.id != keep)
        self._revoke(condition, now)

    def _first(self, stmt: Select[Any], session_id: str) -> Mapping[str, Any] | None:
        values = {"session_id": session_id}
        return one_row(self._connection, stmt, values, on_driver=self._on_driver)

    def _revoke(self, condition: ColumnElement[bool], now: datetime) -> None:
        stmt = update(sessions).where(condition, sessions.c.revoked_at.is_(None))
        self._connection.execute(stmt.values(revoked_at=now))


class SqlLoginAttemptRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, email: str) -> None:
        # A transaction-scoped advisory lock on PostgreSQL. SQLite needs none: its writing
        # units begin with BEGIN IMMEDIATE (engine.py), so they already run one at a time.
        if self._connection.dialect.name == "postgresql":
            key = func.hashtextextended(email, 0)
            self._connection.execute(select(func.pg_advisory_xact_lock(key)))

    def add_failure(self, email: str, at: datetime) -> None:
        self._connection.execute(insert(attempts).values(email=email, attempted_at=at))

    def failures_since(self, email: str, since: datetime) -> list[datetime]:
        stmt = (
            select(attempts.c.attempted_at)
            .where(attempts.c.email == email, attempts.c.attempted_at > since)
            .order_by(attempts.c.attempted_at)
        )
        return [in_utc(at) for at in self._connection.execute(stmt).scalars()]

    def clear(self, email: str) -> None:
        self._connection.execute(delete(attempts).where(attempts.c.email == email))

    def prune(self, before: datetime) -> None:
        self._connection.execute(delete(attempts).where(attempts.c.attempted_at < before))


class SqlPasswordGuessRepository:
    """Wrong current passwords per user. Each change of a user's password holds the user's row
    (ChangePassword), so its reads and writes here run one at a time for that user."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, user_id: int, at: datetime) -> None:
        self._connection.execute(insert(guesses).values(user_id=user_id, guessed_at=at))

    def since(self, user_id: int, since: datetime) -> list[datetime]:
        stmt = (
            select(guesses.c.guessed_at)
            .where(guesses.c.user_id == user_id, guesses.c.guessed_at > since)
            .order_by(guesses.c.guessed_at)
        )
        return [in_utc(at) for at in self._connection.execute(stmt).scalars()]

    def forget(self, user_id: int, before: datetime | None = None) -> None:
        condition = guesses.c.user_id == user_id
        if before is not None:
            condition = and_(condition, guesses.c.guessed_at < before)
        self._connection.execute(delete(guesses).where(condition))
