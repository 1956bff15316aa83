"""Password hashing with argon2id and tokens signed with PyJWT."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from functools import lru_cache

import jwt
from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from application.tokens import TokenAudience, TokenClaims, TokenKind
from domain.errors import InvalidToken
from domain.ids import ID_MAX


class Argon2PasswordHasher:
    def __init__(
        self, *, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
        # Checked when the e-mail is unknown, so that costs what a wrong password does.
        self.dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)


class JwtTokenService:
    """HS256 only: the accepted algorithm is fixed here, never taken from the token."""

    ALGORITHM = "HS256"
    REQUIRED = ("sub", "sid", "jti", "typ", "aud", "iat", "exp")

    VERIFIED_CACHE = 4096  # tokens per process; a few hundred kilobytes at most

    def __init__(self, secret_key: str) -> None:
        self._key = secret_key
        # A signed token's claims never change, and a client sends one access token with
        # every request for its lifetime: verify each once per process. Only valid tokens are
        # kept (a failure raises, which lru_cache never stores); expiry and revocation are
        # still checked on every request, by the use cases.
        self._verified = lru_cache(maxsize=self.VERIFIED_CACHE)(self._verify)

    def encode(self, claims: TokenClaims) -> str:
        payload = {
            "sub": str(claims.subject),
            "sid": claims.session_id,
            "jti": claims.token_id,
            "typ": claims.kind.value,
            "aud": claims.audience.value,
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        return jwt.encode(payload, self._key, algorithm=self.ALGORITHM)

    def decode(self, token: str) -> TokenClaims:
        return self._verified(token)

    def _verify(self, token: str) -> TokenClaims:
        try:
            # Time claims are checked by the use case against the injected clock, not against
            # this machine's clock here: one time source, so servers with skewed clocks agree.
            # The audience too is the use case's to check, by the API asking, like the kind;
            # here it must only be exactly one of ours (_audience).
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self.ALGORITHM],
                options={
                    "require": list(self.REQUIRED),
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                },
            )
            return TokenClaims(
                subject=_positive_int(payload["sub"]),
                session_id=_short_str(payload["sid"]),
                token_id=_short_str(payload["jti"]),
                kind=TokenKind(payload["typ"]),
                audience=_audience(payload["aud"]),
                issued_at=_timestamp(payload["iat"]),
                expires_at=_timestamp(payload["exp"]),
            )
        except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError, OSError):
            raise InvalidToken() from None


_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit takes other scripts' digits too


def _positive_int(value: object) -> int:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value) or not 0 < int(value) <= ID_MAX:
        raise ValueError("sub")
    return int(value)


def _short_str(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise ValueError("id claim")
    return value


def _audience(value: object) -> TokenAudience:
    """One audience, as a string: a list of them (which JWT allows) is none of ours."""
    if not isinstance(value, str):
        raise ValueError("aud")
    return TokenAudience(value)


def _timestamp(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("time claim")
    return datetime.fromtimestamp(value, UTC)
