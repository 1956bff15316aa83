"""Session-long access tokens, the Conduit adapter's (RealWorld clients keep one token and
never refresh): they live as long as their session, and end with it."""

from __future__ import annotations

import functools

import pytest

from application.auth import Authenticate, Credentials, LogIn, LogOut, TokenIssuer
from application.tokens import TokenAudience, TokenPolicy
from application.users import OPERATOR, ChangePassword, PasswordChange, UpdateUser, UserChanges
from domain.errors import TokenExpired, TokenRevoked
from domain.users import User
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import PASSWORD, FixedClock
from tests.unit.conftest import Given

CONDUIT = TokenAudience.CONDUIT


@pytest.fixture
def ann(given: Given) -> User:
    return given.user(password=PASSWORD)


@pytest.fixture
def authenticate(uow: InMemoryUnitOfWork, issuer: TokenIssuer) -> Authenticate:
    """As the Conduit adapter asks: its own tokens only."""
    conduit = functools.partial(Authenticate(uow, issuer), audience=CONDUIT)
    return conduit  # type: ignore[return-value]


def _token(log_in: LogIn, user: User) -> str:
    result = log_in(Credentials(email=user.email, password=PASSWORD), audience=CONDUIT)
    return result.tokens.access_token


def test_a_session_long_token_outlives_the_access_token_lifetime(
    log_in: LogIn, authenticate: Authenticate, clock: FixedClock, ann: User
) -> None:
    token = _token(log_in, ann)
    clock.advance(days=20)
    assert authenticate(token).id == ann.id


def test_it_expires_with_its_session(
    log_in: LogIn, authenticate: Authenticate, clock: FixedClock, ann: User
) -> None:
    token = _token(log_in, ann)
    clock.advance(seconds=TokenPolicy().refresh_ttl.total_seconds())
    with pytest.raises(TokenExpired):
        authenticate(token)


def test_its_lifetime_is_said_in_expires_in(log_in: LogIn, ann: User) -> None:
    result = log_in(Credentials(email=ann.email, password=PASSWORD), audience=CONDUIT)
    assert result.tokens.expires_in == int(TokenPolicy().refresh_ttl.total_seconds())


def test_a_login_without_asking_still_gets_a_short_v1_access_token(
    log_in: LogIn, uow: InMemoryUnitOfWork, issuer: TokenIssuer, clock: FixedClock, ann: User
) -> None:
    token = log_in(Credentials(email=ann.email, password=PASSWORD)).tokens.access_token
    clock.advance(seconds=TokenPolicy().access_ttl.total_seconds())
    with pytest.raises(TokenExpired):
        Authenticate(uow, issuer)(token)


def test_logging_out_ends_it_at_once(
    log_in: LogIn, log_out: LogOut, authenticate: Authenticate, ann: User
) -> None:
    token = _token(log_in, ann)
    log_out(token)
    with pytest.raises(TokenRevoked):
        authenticate(token)


def test_a_password_change_in_another_session_ends_it_at_once(
    log_in: LogIn,
    authenticate: Authenticate,
    ann: User,
    change_password: ChangePassword,
) -> None:
    token = _token(log_in, ann)
    other = authenticate(_token(log_in, ann))
    change = PasswordChange(current_password=PASSWORD, new_password="Another-Pass-8")
    change_password(other, change)
    with pytest.raises(TokenRevoked):
        authenticate(token)
    assert authenticate(_token_after(log_in, ann, "Another-Pass-8")).id == ann.id


def _token_after(log_in: LogIn, user: User, password: str) -> str:
    credentials = Credentials(email=user.email, password=password)
    return log_in(credentials, audience=CONDUIT).tokens.access_token


def test_deactivation_ends_it_at_once(
    log_in: LogIn, authenticate: Authenticate, ann: User, update_user: UpdateUser
) -> None:
    token = _token(log_in, ann)
    update_user(OPERATOR, ann.id or 0, UserChanges(is_active=False))
    with pytest.raises(TokenRevoked):
        authenticate(token)
