"""Logging in, refreshing, logging out, and turning a token into the acting user."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from attrs import evolve, frozen

from application.ports import Clock, PasswordHasher, TokenService, UnitOfWork
from application.tokens import (
    LoginThrottle,
    TokenAudience,
    TokenClaims,
    TokenKind,
    TokenPair,
    TokenPolicy,
)
from application.users import (
    Registration,
    VerifyAddress,
    checked_account,
    deriving_again,
    register,
)
from domain.errors import (
    AccountInactive,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    LoginThrottled,
    NotAuthenticated,
    TokenExpired,
    TokenRevoked,
)
from domain.sessions import LoginSession, SessionHolder
from domain.users import Actor, PasswordRules, Role, User, email_key, normalize_email


@frozen(kw_only=True)
class Credentials:
    email: str
    password: str


@frozen(kw_only=True)
class LoginResult:
    tokens: TokenPair
    user: User


@frozen
class TokenIssuer:
    """Signs the access and refresh token of one session."""

    tokens: TokenService
    policy: TokenPolicy
    clock: Clock

    def pair(
        self, session: LoginSession, *, audience: TokenAudience = TokenAudience.V1
    ) -> TokenPair:
        """Both tokens for `audience`, the API that will accept them. Conduit's access token
        lives as long as its session, for clients that never refresh (RealWorld's); it is still
        checked against the session on every request, so a password change or deactivation
        ends it at once. No access token outlives its session (an ACCESS_TOKEN_TTL longer than
        REFRESH_TOKEN_TTL is cut to the session's end)."""
        now = self.clock()
        session_long = audience is TokenAudience.CONDUIT
        access_ends = now + self.policy.access_ttl
        expires_at = session.expires_at if session_long else min(access_ends, session.expires_at)
        access = TokenClaims(
            subject=session.user_id,
            session_id=session.id,
            token_id=secrets.token_hex(16),
            kind=TokenKind.ACCESS,
            audience=audience,
            issued_at=now,
            expires_at=expires_at,
        )
        refresh = TokenClaims(
            subject=session.user_id,
            session_id=session.id,
            token_id=session.refresh_token_id,
            kind=TokenKind.REFRESH,
            audience=audience,
            issued_at=now,
            expires_at=session.expires_at,
        )
        return TokenPair(
            access_token=self.tokens.encode(access),
            refresh_token=self.tokens.encode(refresh),
            expires_in=int((expires_at - now).total_seconds()),
        )

    def read(
        self, token: str | None, kind: TokenKind, audience: TokenAudience | None = TokenAudience.V1
    ) -> TokenClaims:
        """Signature, then kind, then audience (None: either), then expiry: each failure has
        its own error code."""
        if not token:
            raise NotAuthenticated()
        claims = self.tokens.decode(token)
        if claims.kind is not kind:
            raise InvalidToken(
                f"This route takes {'an' if kind is TokenKind.ACCESS else 'a'} {kind} token."
            )
        if audience is not None and claims.audience is not audience:
            raise InvalidToken(
                f"This token was issued for {claims.audience.api}; log in to {audience.api}"
                " for a token it accepts."
            )
        if self.clock() >= claims.expires_at:
            raise TokenExpired(claims.session_id, claims.subject)
        return claims


def read_token(
    issuer: TokenIssuer,
    uow: UnitOfWork,
    token: str | None,
    kind: TokenKind,
    audience: TokenAudience | None = TokenAudience.V1,
) -> TokenClaims:
    """As TokenIssuer.read, but a token of a session that ended, for any reason, is revoked
    whether or not it also expired: its holder must log in again, not refresh. Only an
    expired token costs a read here. A session no longer stored ran out (a login forgets
    its user's expired ones) unless its account is gone or inactive."""
    try:
        return issuer.read(token, kind, audience)
    except TokenExpired as expired:
        with uow.read_only() as reading:
            holder = reading.sessions.get_holder(expired.session_id)
            user = reading.users.get(expired.user_id) if holder is None else None
        ended = holder.ended if holder is not None else user is None or not user.is_active
        if ended:
            raise TokenRevoked() from None
        raise


@frozen
class LogIn:
    """Unknown e-mail and wrong password cost one hash check each and answer alike."""

    uow: UnitOfWork
    hasher: PasswordHasher
    issuer: TokenIssuer
    throttle: LoginThrottle
    clock: Clock

    def __call__(
        self, credentials: Credentials, *, audience: TokenAudience = TokenAudience.V1
    ) -> LoginResult:
        """`audience`: the API the tokens are for, and so how long they live (TokenIssuer.pair)."""
        now = self.clock()
        try:
            email = normalize_email(credentials.email)
        except InvalidInput:
            email = email_key(credentials.email)  # still counted, still checked
        # Hashing takes tens of milliseconds: no lock or transaction is held while it runs,
        # so logins to one account hash in parallel and its other writers never wait on them.
        with self.uow.read_only() as uow:
            self._refuse_if_throttled(uow, email, now)
            found = uow.users.get_by_email(email)
        checked = found.password_hash if found else self.hasher.dummy_hash
        matches = self.hasher.verify(checked, credentials.password) and found is not None
        with self.uow as uow:
            # Settled under the e-mail's lock: guesses that passed the check above together
            # are counted again here, so past the limit they are refused, their result unsaid.
            uow.login_attempts.lock(email)
            self._refuse_if_throttled(uow, email, now)
            # Locked: a concurrent password change either commits first or waits for us.
            user = uow.users.get_by_email(email, lock=True)
            if matches and user is not None and user.password_hash != checked:
                # Changed meanwhile: rehashed by another login (the password still works) or
                # changed by its owner (the one just checked no longer does). Rare: hash again.
                matches = self.hasher.verify(user.password_hash, credentials.password)
            if not matches or user is None:
                uow.login_attempts.prune(before=now - self.throttle.window)
                uow.login_attempts.add_failure(email, now)
                uow.commit()
                raise InvalidCredentials()
            if not user.is_active:
                raise AccountInactive()
            if self.hasher.needs_rehash(user.password_hash):
                user = user.rehashed(self.hasher.hash(credentials.password))
                uow.users.save(user)
            uow.login_attempts.clear(email)
            session = open_session(user, now, self.issuer.policy)
            uow.sessions.remove_expired(session.user_id, now)  # each login tidies its user's
            uow.sessions.add(session)
            tokens = self.issuer.pair(session, audience=audience)
            uow.commit()
        return LoginResult(tokens=tokens, user=user)

    def _refuse_if_throttled(self, uow: UnitOfWork, email: str, now: datetime) -> None:
        failures = uow.login_attempts.failures_since(email, now - self.throttle.window)
        self.throttle.refuse_past_limit(failures, now, LoginThrottled)


@frozen
class RegisterAndLogIn:
    """A new account and its first session in one unit (the RealWorld API answers a
    registration with a token): nobody is left registered but signed out by a failure."""

    uow: UnitOfWork
    hasher: PasswordHasher
    issuer: TokenIssuer
    clock: Clock
    verify_address: VerifyAddress = None
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(
        self, registration: Registration, *, audience: TokenAudience = TokenAudience.V1
    ) -> LoginResult:
        """`audience`: the API the tokens are for, and so how long they live (TokenIssuer.pair)."""
        account = checked_account(registration, self.hasher, self.password_rules)

        def store() -> LoginResult:
            now = self.clock()
            with self.uow as uow:
                user = register(uow, account, now, Role.USER, verify_address=self.verify_address)
                session = open_session(user, now, self.issuer.policy)
                uow.sessions.add(session)
                tokens = self.issuer.pair(session, audience=audience)
                uow.commit()
            return LoginResult(tokens=tokens, user=user)

        return deriving_again(account, store)


def open_session(user: User, now: datetime, policy: TokenPolicy) -> LoginSession:
    assert user.id is not None
    return LoginSession(
        id=secrets.token_hex(16),
        user_id=user.id,
        refresh_token_id=secrets.token_hex(16),
        created_at=now,
        expires_at=now + policy.refresh_ttl,
    )


@frozen
class RefreshTokens:
    """Rotation: a refresh token works once; presenting a spent one again ends the session."""

    uow: UnitOfWork
    issuer: TokenIssuer
    clock: Clock

    def __call__(self, refresh_token: str | None) -> TokenPair:
        claims = read_token(self.issuer, self.uow, refresh_token, TokenKind.REFRESH)
        now = self.clock()
        with self.uow as uow:
            found = uow.sessions.get_with_user(claims.session_id)
            if found is None or found[0].is_revoked:
                raise TokenRevoked()
            session, user = found
            if session.user_id != claims.subject:
                raise InvalidToken()
            new_id = secrets.token_hex(16)
            expires_at = now + self.issuer.policy.refresh_ttl
            reused = session.refresh_token_id != claims.token_id
            if (
                reused
                or not user.is_active
                or not uow.sessions.rotate(session.id, claims.token_id, new_id, expires_at)
            ):
                uow.sessions.revoke(session.id, now)
                uow.commit()
                raise TokenRevoked()
            tokens = self.issuer.pair(
                evolve(session, refresh_token_id=new_id, expires_at=expires_at)
            )
            uow.commit()
        return tokens


@frozen
class LogOut:
    """Ends the session an access token belongs to, and only that one. Either API's token:
    a RealWorld client, which has no logout route of its own, ends its session here. A token
    whose session already ended is refused, as on every route."""

    uow: UnitOfWork
    issuer: TokenIssuer
    clock: Clock

    def __call__(
        self, access_token: str | None, *, check_request: Callable[[], None] = lambda: None
    ) -> None:
        """`check_request`: the driver's check of the rest of its request, run once the token
        is known good and before the session ends, so a bad token is answered first."""
        claims = read_token(self.issuer, self.uow, access_token, TokenKind.ACCESS, audience=None)
        with self.uow as uow:
            holder = uow.sessions.get_holder(claims.session_id)
            if holder is None:
                raise TokenRevoked()
            holder.actor(claims.subject)  # refused once the session or its account ended
            check_request()
            uow.sessions.revoke(claims.session_id, self.clock())
            uow.commit()


@frozen
class Authenticate:
    """One round trip: the session and its user together, the role as it is now.
    `verified_writers`: only callers with a verified address may write
    (REQUIRE_VERIFIED_EMAIL). `audience`: the API asking, which takes only its own tokens."""

    uow: UnitOfWork
    issuer: TokenIssuer
    verified_writers: bool = False

    def __call__(
        self, access_token: str | None, audience: TokenAudience = TokenAudience.V1
    ) -> Actor:
        claims = read_token(self.issuer, self.uow, access_token, TokenKind.ACCESS, audience)
        with self.uow.read_only() as uow:
            holder = uow.sessions.get_holder(claims.session_id)
        if holder is None:
            raise TokenRevoked()
        return holder.actor(claims.subject, self.verified_writers)

    def with_user(
        self, access_token: str | None, audience: TokenAudience = TokenAudience.V1
    ) -> tuple[Actor, User]:
        """The caller and their account as stored now: asking who I am needs no second read."""
        claims = read_token(self.issuer, self.uow, access_token, TokenKind.ACCESS, audience)
        with self.uow.read_only() as uow:
            found = uow.sessions.get_with_user(claims.session_id)
        if found is None:
            raise TokenRevoked()
        session, user = found
        holder = SessionHolder.of(session, user)
        return holder.actor(claims.subject, self.verified_writers), user
