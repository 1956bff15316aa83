"""The outbox: messages queued with the change they report, claimed and settled by workers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import evolve
from sqlalchemy import Connection, delete, or_, select, update

from domain.ids import stored
from domain.links import LinkPurpose
from domain.mail import MailStatus, OutgoingMail
from domain.times import in_utc
from infrastructure.db.mapping import maybe_utc
from infrastructure.db.models import OutboxRow
from infrastructure.db.sealing import BodySeal, UnreadableBody
from infrastructure.db.statements import insert_maybe

outbox = OutboxRow.__table__
STATUSES = {status.value: status for status in MailStatus}


# Why a message's bodies cannot be read back (see infrastructure.db.sealing).
UNREADABLE = "Its body was sealed under another SECRET_KEY, so this worker cannot send it."


def mail_from_row(row: Mapping[str, Any], seal: BodySeal) -> OutgoingMail:
    try:
        text, html = seal.open(row["text_body"]), seal.open(row["html_body"])
        unreadable = None
    except UnreadableBody:
        text, html, unreadable = "", "", UNREADABLE
    return OutgoingMail(
        id=row["id"], message_id=row["message_id"], kind=row["kind"],
        recipient=row["recipient"], subject=row["subject"], text=text, html=html,
        status=STATUSES[row["status"]], attempts=row["attempts"],
        created_at=in_utc(row["created_at"]), next_attempt_at=in_utc(row["next_attempt_at"]),
        sent_at=maybe_utc(row["sent_at"]), last_error=row["last_error"],
        unreadable=unreadable, link_expires_at=maybe_utc(row["link_expires_at"]),
        held_until=maybe_utc(row["claimed_until"]),
    )  # fmt: skip


def state_values(mail: OutgoingMail) -> dict[str, Any]:
    """What delivery changes: written by `settle`. The bodies stay as sealed when queued,
    until the message is sent and they are dropped."""
    values = {
        "status": mail.status.value, "attempts": mail.attempts,
        "next_attempt_at": mail.next_attempt_at, "sent_at": mail.sent_at,
        "last_error": mail.last_error,
    }  # fmt: skip
    if mail.status is MailStatus.SENT:
        values.update(text_body="", html_body="")
    return values


def mail_values(mail: OutgoingMail, seal: BodySeal) -> dict[str, Any]:
    return {
        **state_values(mail),
        "message_id": mail.message_id, "kind": mail.kind, "recipient": mail.recipient,
        "subject": mail.subject, "created_at": mail.created_at,
        "link_expires_at": mail.link_expires_at,
        "text_body": seal.seal(mail.text), "html_body": seal.seal(mail.html),
    }  # fmt: skip


class SqlOutboxRepository:
    def __init__(self, connection: Connection, seal: BodySeal) -> None:
        self._connection = connection
        self._seal = seal

    def add(self, mail: OutgoingMail, *, keep: bool = True) -> OutgoingMail:
        values = mail_values(mail, self._seal)
        stmt = insert_maybe(outbox, values, keep).returning(outbox.c.id)
        new_id = self._connection.execute(stmt).scalar()
        return mail if new_id is None else evolve(mail, id=new_id)

    def get(self, mail_id: int) -> OutgoingMail | None:
        row = self._connection.execute(select(outbox).where(outbox.c.id == mail_id)).mappings()
        found = row.first()
        return None if found is None else mail_from_row(found, self._seal)

    def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutgoingMail]:
        # SKIP LOCKED: a concurrent claim passes over the rows this one has locked instead of
        # waiting for them, so two workers never take one message. SQLite renders no FOR
        # UPDATE; there a unit that writes holds the database's write lock from its start.
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.status == MailStatus.QUEUED.value,
                outbox.c.next_attempt_at <= now,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(outbox)
            .where(outbox.c.id.in_(due.scalar_subquery()))
            .values(claimed_by=worker, claimed_until=lease_until, attempts=outbox.c.attempts + 1)
            .returning(*outbox.c)
        )
        rows = self._connection.execute(stmt).mappings()
        claimed = [mail_from_row(row, self._seal) for row in rows]
        return sorted(claimed, key=lambda mail: (mail.next_attempt_at, stored(mail.id)))

    def settle(self, mail: OutgoingMail, worker: str | None = None) -> bool:
        stmt = update(outbox).where(outbox.c.id == mail.id)
        if worker is not None:
            stmt = stmt.where(outbox.c.claimed_by == worker)
        values = {**state_values(mail), "claimed_by": None, "claimed_until": None}
        return self._connection.execute(stmt.values(**values)).rowcount == 1

    def expire_links(
        self, recipient: str, now: datetime, purpose: LinkPurpose | None = None
    ) -> None:
        # Through the status index: queued and failed messages are few beside the sent ones.
        unsent = [MailStatus.QUEUED.value, MailStatus.FAILED.value]
        stmt = (
            update(outbox)
            .where(
                outbox.c.status.in_(unsent),
                outbox.c.recipient == recipient,
                outbox.c.link_expires_at > now,
            )
            .values(link_expires_at=now)
        )
        if purpose is not None:
            stmt = stmt.where(outbox.c.kind == purpose.value)
        self._connection.execute(stmt)

    def prune(self, before: datetime) -> int:
        done = [MailStatus.SENT.value, MailStatus.FAILED.value]
        stmt = delete(outbox).where(outbox.c.created_at < before, outbox.c.status.in_(done))
        return int(self._connection.execute(stmt).rowcount)

    def find(self, status: MailStatus | None, limit: int) -> list[OutgoingMail]:
        stmt = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(outbox.c.status == status.value)
        return [mail_from_row(row, self._seal) for row in self._connection.execute(stmt).mappings()]
