"""Links mailed to a person: a random token, kept only as its hash, bound to one address."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import frozen

from domain.users import User

# What a link's token may be: far longer than any we make, so that a pasted link with a little
# junk around it is still simply refused, and no client can make us hash a megabyte.
TOKEN_MAX = 200


class LinkPurpose(StrEnum):
    VERIFY = "verify"
    RESET = "reset"


def token_hash(token: str) -> str:
    """SHA-256, not a slow password hash: the tokens are random and long (256 bits), so there
    is nothing to guess, and a lookup by hash must be an index probe."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@frozen(kw_only=True)
class LinkToken:
    id: int | None
    purpose: LinkPurpose
    # None only for the stand-in of a reset asked for an address without an account, which is
    # never stored (see RequestPasswordReset).
    user_id: int | None
    email: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        *,
        purpose: LinkPurpose,
        user_id: int | None,
        email: str,
        token: str,
        now: datetime,
        ttl: timedelta,
    ) -> LinkToken:
        return cls(
            id=None,
            purpose=purpose,
            user_id=user_id,
            email=email,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + ttl,
        )

    def works_for(self, purpose: LinkPurpose, user: User | None, now: datetime) -> bool:
        """Unused, unexpired, of this purpose, and its user still has the address it was sent
        to (a link mailed before an e-mail change no longer works after it) and is active (a
        deactivated account's links do nothing until it is active again)."""
        return (
            self.purpose is purpose
            and self.used_at is None
            and now < self.expires_at
            and user is not None
            and user.id == self.user_id
            and user.email == self.email
            and user.is_active
        )
