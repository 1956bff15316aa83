"""UpdateOwnAccount (RealWorld's PUT /user): the owner sets a password without the current one,
under the deployment's rules, together with other changes, in one unit."""

from __future__ import annotations

import pytest

from application.auth import Authenticate, Credentials, LogIn
from application.users import UpdateOwnAccount, UserChanges
from domain.errors import EmailTaken, InvalidInput, TokenRevoked
from domain.users import PasswordRules
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import PASSWORD, FixedClock
from tests.unit.conftest import Given, SignIn, Stored


@pytest.fixture
def update(
    uow: InMemoryUnitOfWork, clock: FixedClock, hasher: Argon2PasswordHasher
) -> UpdateOwnAccount:
    return UpdateOwnAccount(uow, hasher, clock, password_rules=PasswordRules.LENGTH)


def test_the_owner_sets_a_new_password_that_then_logs_in(
    update: UpdateOwnAccount, sign_in: SignIn, log_in: LogIn, uow: InMemoryUnitOfWork
) -> None:
    ann = sign_in()
    update(ann.actor, UserChanges(), "bonjour1")
    assert uow.committed
    assert log_in(Credentials(email=ann.user.email, password="bonjour1")).user.id == ann.user.id


def test_the_old_password_no_longer_works(
    update: UpdateOwnAccount, sign_in: SignIn, stored: Stored, hasher: Argon2PasswordHasher
) -> None:
    ann = sign_in()
    update(ann.actor, UserChanges(), "bonjour1")
    user = stored.user(ann.user.id)
    assert user is not None and not hasher.verify(user.password_hash, PASSWORD)


def test_it_ends_the_other_sessions_and_keeps_this_one(
    update: UpdateOwnAccount, sign_in: SignIn, authenticate: Authenticate, log_in: LogIn
) -> None:
    ann = sign_in()
    elsewhere = log_in(Credentials(email=ann.user.email, password=PASSWORD)).tokens.access_token
    update(ann.actor, UserChanges(), "bonjour1")
    assert authenticate(ann.tokens.access_token) == ann.actor
    with pytest.raises(TokenRevoked):
        authenticate(elsewhere)


def test_it_follows_the_password_rules_and_changes_nothing_when_refused(
    update: UpdateOwnAccount, sign_in: SignIn, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = sign_in()
    uow.committed = False
    with pytest.raises(InvalidInput) as raised:
        update(ann.actor, UserChanges(email="new@example.com"), "short7c")
    assert raised.value.errors == {"password": ["Must be 8 to 128 characters long."]}
    assert not uow.committed
    assert stored.user(ann.user.id) == ann.user


def test_the_composed_rules_apply_when_the_deployment_has_them(
    uow: InMemoryUnitOfWork, clock: FixedClock, hasher: Argon2PasswordHasher, sign_in: SignIn
) -> None:
    ann = sign_in()
    with pytest.raises(InvalidInput):
        UpdateOwnAccount(uow, hasher, clock)(ann.actor, UserChanges(), "x" * 9)


def test_a_password_and_an_email_change_together_in_one_unit(
    update: UpdateOwnAccount, sign_in: SignIn, log_in: LogIn
) -> None:
    ann = sign_in()
    changed = update(ann.actor, UserChanges(email="annie@example.com"), "bonjour1")
    assert changed.email == "annie@example.com"
    assert log_in(Credentials(email="annie@example.com", password="bonjour1")).user == changed


def test_a_refused_email_keeps_the_old_password(
    update: UpdateOwnAccount,
    sign_in: SignIn,
    given: Given,
    stored: Stored,
    hasher: Argon2PasswordHasher,
) -> None:
    ann = sign_in()
    taken = given.user(email="taken@example.com")
    with pytest.raises(EmailTaken):
        update(ann.actor, UserChanges(email=taken.email), "bonjour1")
    user = stored.user(ann.user.id)
    assert user is not None and hasher.verify(user.password_hash, PASSWORD)
