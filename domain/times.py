"""Entities hold aware times in UTC; a time from elsewhere is brought to UTC on the way in."""

from __future__ import annotations

from datetime import UTC, datetime


def in_utc(value: datetime) -> datetime:
    """As it is when already in UTC (entities, PostgreSQL's timestamps on its UTC connections),
    converted otherwise; a naive time (SQLite's) is taken as UTC."""
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
