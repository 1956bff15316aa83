"""Entities hold aware times in UTC; a time from elsewhere is brought to UTC on the way in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta


def in_utc(value: datetime) -> datetime:
    """As it is when already in UTC (entities, PostgreSQL's timestamps on its UTC connections),
    converted otherwise; a naive time (SQLite's) is taken as UTC."""
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def wait_in_window(
    recent: Sequence[datetime], most: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until one more event is allowed, when at most `most` may fall within a
    `window` (`recent`: those of the window up to `now`, oldest first): until enough have aged
    out of it. None when one is allowed now."""
    if len(recent) < most:
        return None
    reopen = recent[-most] + window
    return math.ceil((reopen - now).total_seconds())
