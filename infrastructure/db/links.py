"""Mailed links' tokens and the requests for them, on a Core connection; never committing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from domain.links import LinkPurpose, LinkToken
from domain.times import in_utc
from infrastructure.db.mapping import maybe_utc
from infrastructure.db.models import LinkRequestRow, LinkTokenRow
from infrastructure.db.statements import insert_maybe

tokens, requests = LinkTokenRow.__table__, LinkRequestRow.__table__
PURPOSES = {purpose.value: purpose for purpose in LinkPurpose}


def link_from_row(row: Mapping[str, Any]) -> LinkToken:
    return LinkToken(
        id=row["id"], purpose=PURPOSES[row["purpose"]], user_id=row["user_id"],
        email=row["email"], token_hash=row["token_hash"], created_at=in_utc(row["created_at"]),
        expires_at=in_utc(row["expires_at"]), used_at=maybe_utc(row["used_at"]),
    )  # fmt: skip


def link_values(link: LinkToken) -> dict[str, Any]:
    return {
        "purpose": link.purpose.value, "user_id": link.user_id, "email": link.email,
        "token_hash": link.token_hash, "created_at": link.created_at,
        "expires_at": link.expires_at, "used_at": link.used_at,
    }  # fmt: skip


class SqlLinkTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, token: LinkToken, *, keep: bool = True) -> None:
        self._connection.execute(insert_maybe(tokens, link_values(token), keep))

    def get_by_hash(self, token_hash: str) -> LinkToken | None:
        stmt = select(tokens).where(tokens.c.token_hash == token_hash)
        row = self._connection.execute(stmt).mappings().first()
        return None if row is None else link_from_row(row)

    def use(self, token_id: int, now: datetime) -> bool:
        stmt = (
            update(tokens)
            .where(tokens.c.id == token_id, tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return self._connection.execute(stmt).rowcount == 1

    def use_all(self, user_id: int, purpose: LinkPurpose, now: datetime) -> None:
        stmt = (
            update(tokens)
            .where(
                tokens.c.user_id == user_id,
                tokens.c.purpose == purpose.value,
                tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
        self._connection.execute(stmt)

    def prune(self, before: datetime) -> None:
        self._connection.execute(delete(tokens).where(tokens.c.expires_at < before))


class SqlLinkRequestRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, purpose: LinkPurpose, key: str) -> None:
        # A transaction-scoped advisory lock on PostgreSQL, as for failed logins. On SQLite a
        # unit that writes holds the database's write lock from its start (BEGIN IMMEDIATE).
        if self._connection.dialect.name == "postgresql":
            lock_key = func.hashtextextended(f"link:{purpose.value}:{key}", 0)
            self._connection.execute(select(func.pg_advisory_xact_lock(lock_key)))

    def add(self, purpose: LinkPurpose, key: str, at: datetime) -> None:
        values = {"purpose": purpose.value, "key": key, "requested_at": at}
        self._connection.execute(insert_maybe(requests, values, keep=True))

    def since(self, purpose: LinkPurpose, key: str, since: datetime) -> list[datetime]:
        stmt = (
            select(requests.c.requested_at)
            .where(
                requests.c.purpose == purpose.value,
                requests.c.key == key,
                requests.c.requested_at > since,
            )
            .order_by(requests.c.requested_at)
        )
        return [in_utc(at) for at in self._connection.execute(stmt).scalars()]

    def prune(self, before: datetime) -> None:
        self._connection.execute(delete(requests).where(requests.c.requested_at < before))
