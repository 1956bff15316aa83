"""The tables of accounts: users, their login sessions, failed logins and wrong current
passwords, their count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.users import BIO_MAX, EMAIL_MAX, IMAGE_MAX, NAME_MAX, USERNAME_MAX
from infrastructure.db.schema import NEVER_REUSED_IDS, Base, Id, Timestamp, trigram_index


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    bio: Mapped[str | None] = mapped_column(String(BIO_MAX))
    image: Mapped[str | None] = mapped_column(String(IMAGE_MAX))
    # Kept by the follow repository, so a profile never counts the follows table.
    followers_count: Mapped[int] = mapped_column(Integer, server_default="0")
    follows_count: Mapped[int] = mapped_column(Integer, server_default="0")
    email_verified: Mapped[bool] = mapped_column(Boolean, server_default=false())

    __table_args__ = (
        Index("ix_users_created_at_id", "created_at", "id"),
        trigram_index("ix_users_name_trgm", "name"),
        trigram_index("ix_users_email_trgm", "email"),
        NEVER_REUSED_IDS,
    )


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_token_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class LoginAttemptRow(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    attempted_at: Mapped[datetime] = mapped_column(Timestamp, index=True)

    __table_args__ = (Index("ix_login_attempts_email_attempted_at", "email", "attempted_at"),)


class PasswordGuessRow(Base):
    """A wrong current password given to change it: the change's own limit counts these."""

    __tablename__ = "password_guesses"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    guessed_at: Mapped[datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_password_guesses_user_id_guessed_at", "user_id", "guessed_at"),)


class RowCountRow(Base):
    """Exact row counts of tables too large to count on every request (today: users)."""

    __tablename__ = "row_counts"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[int] = mapped_column(BigInteger)


# Usernames are unique without regard to case, and looked up by lower(username).
Index("uq_users_lower_username", func.lower(UserRow.__table__.c.username), unique=True)
