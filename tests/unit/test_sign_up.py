"""RegisterAndLogIn as the RealWorld API uses it: a first, session-long login, under the
deployment's password rules."""

from __future__ import annotations

import functools

import pytest

from application.auth import Authenticate, RegisterAndLogIn, TokenIssuer
from application.tokens import TokenAudience, TokenPolicy
from application.users import Registration
from domain.errors import EmailTaken, InvalidInput
from domain.users import PasswordRules
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import PASSWORD, FixedClock, make_registration
from tests.unit.conftest import Given, Stored


@pytest.fixture
def sign_up(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, issuer: TokenIssuer, clock: FixedClock
) -> RegisterAndLogIn:
    register = RegisterAndLogIn(uow, hasher, issuer, clock, password_rules=PasswordRules.LENGTH)
    return functools.partial(register, audience=TokenAudience.CONDUIT)  # type: ignore[return-value]


@pytest.fixture
def authenticate(uow: InMemoryUnitOfWork, issuer: TokenIssuer) -> Authenticate:
    """As the Conduit adapter asks: its own tokens only."""
    conduit = functools.partial(Authenticate(uow, issuer), audience=TokenAudience.CONDUIT)
    return conduit  # type: ignore[return-value]


def _registration(**overrides: str) -> Registration:
    """Ann's, with a password only the `length` rules accept."""
    return make_registration(**{"name": "Ann", "password": "bonjour1", **overrides})


def test_signing_up_stores_the_user_and_answers_with_a_token_of_theirs(
    sign_up: RegisterAndLogIn, authenticate: Authenticate, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    result = sign_up(_registration())
    assert uow.committed
    assert stored.user_by_email("ann@example.com") == result.user
    assert authenticate(result.tokens.access_token).id == result.user.id


def test_the_token_lives_as_long_as_the_session(
    sign_up: RegisterAndLogIn, authenticate: Authenticate, clock: FixedClock
) -> None:
    result = sign_up(_registration())
    assert result.tokens.expires_in == int(TokenPolicy().refresh_ttl.total_seconds())
    clock.advance(days=29)
    assert authenticate(result.tokens.access_token).id == result.user.id


def test_the_first_session_is_stored_with_the_user(
    sign_up: RegisterAndLogIn, authenticate: Authenticate, stored: Stored
) -> None:
    result = sign_up(_registration())
    actor = authenticate(result.tokens.access_token)
    session = stored.session(actor.session_id)
    assert session is not None and session.user_id == result.user.id


def test_a_refused_registration_opens_no_session_and_keeps_nothing(
    sign_up: RegisterAndLogIn, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    given.user(email="ann@example.com", password=PASSWORD)
    with pytest.raises(EmailTaken):
        sign_up(_registration())
    assert not uow.committed
    assert stored.user_count() == 1


def test_signing_up_follows_the_registration_rules(
    sign_up: RegisterAndLogIn, stored: Stored
) -> None:
    with pytest.raises(InvalidInput) as raised:
        sign_up(_registration(password="short7c", email="nope"))
    assert set(raised.value.errors) == {"password", "email"}
    assert stored.user_count() == 0
