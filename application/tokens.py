"""Token claims and lifetimes, independent of how tokens are signed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import frozen


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@frozen(kw_only=True)
class TokenClaims:
    subject: int
    session_id: str
    token_id: str
    kind: TokenKind
    issued_at: datetime
    expires_at: datetime


@frozen(kw_only=True)
class TokenPolicy:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)


@frozen(kw_only=True)
class LoginThrottle:
    """After `max_failures` failed logins for one e-mail within `window`, refuse until it passes."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@frozen(kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"
