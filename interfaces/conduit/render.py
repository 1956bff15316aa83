"""Quill's objects as RealWorld's JSON: names and shapes only (see shapes.py for the keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.times import in_utc
from domain.users import User


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC, always with milliseconds (RealWorld's suites expect a fraction)."""
    return in_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user(account: User, token: str) -> dict[str, Any]:
    """shapes.UserEnvelope."""
    return {"user": {"email": account.email, "token": token}}
