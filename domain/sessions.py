"""Login sessions: a refresh token rotates within one; an ended session refuses all its tokens."""

from __future__ import annotations

from datetime import datetime

from attrs import evolve, frozen

from domain.errors import InvalidToken, TokenRevoked
from domain.users import Actor, Role, User


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


@frozen(kw_only=True)
class SessionHolder:
    """A session's state and its user's: what authenticating a request reads, and no more.

    Not the whole session and account: reading and mapping their timestamps, e-mail and
    password hash on every authenticated request is wasted, since a request only needs to know
    who acts, in what role, and whether they still may.
    """

    session_id: str
    user_id: int
    name: str
    role: Role
    user_is_active: bool
    session_revoked: bool
    username: str = ""
    email_verified: bool = False
    bio: str | None = None
    image: str | None = None

    @classmethod
    def of(cls, session: LoginSession, user: User) -> SessionHolder:
        assert user.id is not None
        return cls(
            session_id=session.id, user_id=user.id, name=user.name, role=user.role,
            user_is_active=user.is_active, session_revoked=session.is_revoked,
            username=user.username,
            email_verified=user.email_verified, bio=user.bio, image=user.image,
        )  # fmt: skip

    @property
    def ended(self) -> bool:
        """Revoked, or its account deactivated: its tokens no longer work, expired or not."""
        return self.session_revoked or not self.user_is_active

    def actor(self, subject: int, verified_writers: bool = False) -> Actor:
        """The caller of a token for `subject`: refused once the session ended, for any reason
        (logout, theft detection, password change), or the account was deactivated.
        `verified_writers`: only a verified address may write (REQUIRE_VERIFIED_EMAIL)."""
        if self.user_id != subject:
            raise InvalidToken()
        if self.ended:
            raise TokenRevoked()
        return Actor(
            id=self.user_id, name=self.name, role=self.role, session_id=self.session_id,
            username=self.username,
            may_write=self.email_verified or not verified_writers,
            bio=self.bio, image=self.image,
        )  # fmt: skip
