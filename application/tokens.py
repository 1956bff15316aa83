"""Token claims and lifetimes, independent of how tokens are signed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import frozen

from domain.errors import RateLimited
from domain.times import wait_in_window


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class TokenAudience(StrEnum):
    """The API a token was issued for (its signed `aud` claim); each API accepts only its own.
    v1's access tokens are short and refreshed; the Conduit adapter's live as long as their
    session (RealWorld clients never refresh), so v1 must never take one for its own, and
    Conduit's PUT /user (a new password without the current one) never a v1 token."""

    V1 = "v1"
    CONDUIT = "conduit"

    @property
    def api(self) -> str:
        """The API's name, for messages."""
        return "the v1 API" if self is TokenAudience.V1 else "the RealWorld (Conduit) API"


@frozen(kw_only=True)
class TokenClaims:
    subject: int
    session_id: str
    token_id: str
    kind: TokenKind
    audience: TokenAudience = TokenAudience.V1
    issued_at: datetime
    expires_at: datetime


@frozen(kw_only=True)
class TokenPolicy:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)


@frozen(kw_only=True)
class LoginThrottle:
    """After `max_failures` failed logins for one e-mail within `window`, refuse until it passes;
    the same for wrong current passwords given to change a user's password, counted apart."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)

    def refuse_past_limit(
        self, failures: list[datetime], now: datetime, refusal: type[RateLimited]
    ) -> None:
        """Raise `refusal` when `failures` (those of the window up to `now`, oldest first)
        reach `max_failures`, saying when it reopens."""
        wait = wait_in_window(failures, self.max_failures, self.window, now)
        if wait is not None:
            raise refusal(retry_after=wait)


@frozen(kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"
