"""The tables of mailed links and the outbox of their mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.mail import ERROR_MAX
from domain.users import EMAIL_MAX
from infrastructure.db.schema import Base, Id, Timestamp


class LinkTokenRow(Base):
    """A mailed link's token, by its SHA-256 only; bound to the address it went to."""

    __tablename__ = "link_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class LinkRequestRow(Base):
    """When a link was asked for: the per-address and per-user rate limits count these."""

    __tablename__ = "link_requests"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(EMAIL_MAX))
    requested_at: Mapped[datetime] = mapped_column(Timestamp, index=True)

    __table_args__ = (
        Index("ix_link_requests_purpose_key_requested_at", "purpose", "key", "requested_at"),
    )


class OutboxRow(Base):
    """A message to send, written with the change it reports; a worker claims and sends it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(EMAIL_MAX))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_MAX))
    link_expires_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The worker holding the message, and until when; a claim past its time is taken over.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        # A claim walks the due queued messages in order.
        Index("ix_outbox_status_next_attempt_at_id", "status", "next_attempt_at", "id"),
        Index("ix_outbox_created_at_id", "created_at", "id"),
    )
