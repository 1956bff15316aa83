"""Login sessions: a refresh token rotates within one; an ended session refuses all its tokens."""

from __future__ import annotations

from datetime import datetime

from attrs import evolve, frozen


@frozen(kw_only=True)
class LoginSession:
    id: str
    user_id: int
    refresh_token_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def revoke(self, now: datetime) -> LoginSession:
        return self if self.is_revoked else evolve(self, revoked_at=now)
