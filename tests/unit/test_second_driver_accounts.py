"""Account rules a second driver (the RealWorld API) needs, each in one use case: registering
by username alone, registering and logging in in one unit, and updating one's own account with
a new password in one unit (the conduit analysis, "Users and auth")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from attrs import evolve

from application.auth import (
    Authenticate,
    Credentials,
    LogIn,
    LoginResult,
    RefreshTokens,
    RegisterAndLogIn,
    TokenIssuer,
)
from application.users import (
    RegisterUser,
    Registration,
    UpdateOwnAccount,
    UpdateUser,
    UserChanges,
)
from domain.errors import (
    DomainError,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    TokenRevoked,
    UsernameTaken,
)
from domain.users import Role, User
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import IMAGE, NEW_PASSWORD, PASSWORD, T0, FixedClock, make_registration
from tests.unit.conftest import CountingUnitOfWork, Given, SignIn, Stored


def signup(**overrides: str | None) -> Registration:
    """Ann's registration with no name: a second driver may send a username alone."""
    return make_registration(**{"name": None, **overrides})


@pytest.fixture
def register_and_log_in(
    counted_uow: CountingUnitOfWork,
    hasher: Argon2PasswordHasher,
    issuer: TokenIssuer,
    clock: FixedClock,
) -> RegisterAndLogIn:
    return RegisterAndLogIn(counted_uow, hasher, issuer, clock)


@pytest.fixture
def update_own(
    counted_uow: CountingUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> UpdateOwnAccount:
    return UpdateOwnAccount(counted_uow, hasher, clock)


# --- RegisterUser: a name, a username, or both ----------------------------------------------


def test_registering_with_a_username_and_no_name_makes_the_username_the_name(
    register_user: RegisterUser, stored: Stored
) -> None:
    user = register_user(signup(username="jake_99"))
    assert (user.username, user.name) == ("jake_99", "jake_99")
    assert stored.user(user.id) == user


def test_a_one_character_username_makes_no_name_and_is_refused(
    register_user: RegisterUser, stored: Stored
) -> None:
    """A name has at least 2 characters, one taken from the username too: a stored name that
    v1's own rule refuses would be refused when a v1 client sends it back unchanged."""
    with pytest.raises(InvalidInput) as raised:
        register_user(signup(username="j"))
    assert list(raised.value.errors) == ["username"]
    assert stored.user_count() == 0


def test_registering_with_neither_a_name_nor_a_username_is_refused_on_name(
    register_user: RegisterUser, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    with pytest.raises(InvalidInput) as raised:
        register_user(signup())
    assert list(raised.value.errors) == ["name"]
    assert (stored.user_count(), uow.committed) == (0, False)


def test_a_missing_name_and_username_is_reported_with_the_other_invalid_fields(
    register_user: RegisterUser,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        register_user(signup(email="nope", password="short"))
    assert set(raised.value.errors) == {"email", "name", "password"}


def test_registering_with_a_name_and_no_username_still_derives_the_username(
    register_user: RegisterUser,
) -> None:
    user = register_user(signup(name="Ann Smith"))
    assert (user.username, user.name) == ("ann_smith", "Ann Smith")


# --- RegisterAndLogIn -----------------------------------------------------------------------


def test_registering_and_logging_in_returns_the_new_user_with_tokens_that_work(
    register_and_log_in: RegisterAndLogIn,
    authenticate: Authenticate,
    refresh: RefreshTokens,
    stored: Stored,
) -> None:
    result = register_and_log_in(signup(username="jake"))
    assert isinstance(result, LoginResult)
    assert stored.user(result.user.id) == result.user
    actor = authenticate(result.tokens.access_token)
    assert (actor.id, actor.username, actor.role) == (result.user.id, "jake", Role.USER)
    assert refresh(result.tokens.refresh_token).access_token


def test_registering_and_logging_in_opens_exactly_one_session_in_one_commit(
    register_and_log_in: RegisterAndLogIn,
    counted_uow: CountingUnitOfWork,
    stored: Stored,
    clock: FixedClock,
) -> None:
    result = register_and_log_in(signup(username="jake"))
    [session] = stored.sessions_of(result.user.id or 0)
    assert (session.created_at, session.is_revoked) == (clock(), False)
    assert counted_uow.commits == 1


@pytest.mark.parametrize(
    ("taken", "error"),
    [({"email": "ANN@example.com"}, EmailTaken), ({"username": "JAKE"}, UsernameTaken)],
)
def test_registering_and_logging_in_with_a_taken_email_or_username_leaves_nothing(
    register_and_log_in: RegisterAndLogIn,
    counted_uow: CountingUnitOfWork,
    given: Given,
    stored: Stored,
    taken: dict[str, str],
    error: type[DomainError],
) -> None:
    given.user(email="ann@example.com", username="jake")
    with pytest.raises(error):
        register_and_log_in(signup(**{"email": "bob@example.com", "username": "bob", **taken}))
    assert (stored.user_count(), stored.session_count(), counted_uow.commits) == (1, 0, 0)


# --- UpdateOwnAccount -----------------------------------------------------------------------


def test_profile_fields_and_a_new_password_are_saved_together_in_one_commit(
    update_own: UpdateOwnAccount,
    counted_uow: CountingUnitOfWork,
    sign_in: SignIn,
    stored: Stored,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
) -> None:
    ann = sign_in(username="ann")
    clock.advance(hours=1)
    changes = UserChanges(username="ann_b", email="Ann.B@example.com", bio="I write.", image=IMAGE)
    changed = update_own(ann.actor, changes, NEW_PASSWORD)
    assert stored.user(ann.user.id) == changed
    assert (changed.username, changed.email, changed.bio, changed.image) == (
        "ann_b",
        "ann.b@example.com",
        "I write.",
        IMAGE,
    )
    assert hasher.verify(changed.password_hash, NEW_PASSWORD)
    assert changed.updated_at == clock() != T0
    assert counted_uow.commits == 1


def test_after_updating_ones_account_only_the_new_password_logs_in(
    update_own: UpdateOwnAccount, log_in: LogIn, sign_in: SignIn
) -> None:
    ann = sign_in()
    update_own(ann.actor, UserChanges(), NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        log_in(Credentials(email=ann.user.email, password=PASSWORD))
    assert log_in(Credentials(email=ann.user.email, password=NEW_PASSWORD)).user.id == ann.user.id


def test_a_new_password_keeps_the_callers_session_and_ends_the_users_others(
    update_own: UpdateOwnAccount,
    authenticate: Authenticate,
    refresh: RefreshTokens,
    sign_in: SignIn,
) -> None:
    here = sign_in()
    elsewhere = sign_in(here.user)
    bob = sign_in()
    update_own(here.actor, UserChanges(bio="New me."), NEW_PASSWORD)
    assert authenticate(here.tokens.access_token) == evolve(here.actor, bio="New me.")
    assert refresh(here.tokens.refresh_token).access_token
    with pytest.raises(TokenRevoked):
        authenticate(elsewhere.tokens.access_token)
    assert authenticate(bob.tokens.access_token) == bob.actor


@pytest.mark.parametrize("weak", ["short1A", "alllowercase1", "A1" + "a" * 127])
def test_an_invalid_new_password_is_refused_and_no_field_is_saved(
    update_own: UpdateOwnAccount,
    counted_uow: CountingUnitOfWork,
    sign_in: SignIn,
    stored: Stored,
    weak: str,
) -> None:
    ann = sign_in()
    elsewhere = sign_in(ann.user)
    with pytest.raises(InvalidInput) as raised:
        update_own(ann.actor, UserChanges(username="ann_b", bio="Hi."), weak)
    assert list(raised.value.errors) == ["password"]
    assert (stored.user(ann.user.id), counted_uow.commits) == (ann.user, 0)
    assert not stored.session(elsewhere.actor.session_id).is_revoked


def test_an_invalid_field_and_an_invalid_password_are_reported_together(
    update_own: UpdateOwnAccount, sign_in: SignIn
) -> None:
    ann = sign_in()
    with pytest.raises(InvalidInput) as raised:
        update_own(ann.actor, UserChanges(email="nope", username=""), "short")
    assert set(raised.value.errors) == {"email", "username", "password"}


def test_a_taken_username_is_refused_and_neither_the_fields_nor_the_password_change(
    update_own: UpdateOwnAccount,
    counted_uow: CountingUnitOfWork,
    log_in: LogIn,
    given: Given,
    sign_in: SignIn,
    stored: Stored,
) -> None:
    given.user(username="bob")
    ann = sign_in()
    elsewhere = sign_in(ann.user)
    with pytest.raises(UsernameTaken):
        update_own(ann.actor, UserChanges(username="BOB", bio="Hi."), NEW_PASSWORD)
    assert (stored.user(ann.user.id), counted_uow.commits) == (ann.user, 0)
    assert not stored.session(elsewhere.actor.session_id).is_revoked
    assert log_in(Credentials(email=ann.user.email, password=PASSWORD)).user.id == ann.user.id


def _outcome(call: Callable[[], User]) -> User | type[DomainError]:
    try:
        return call()
    except DomainError as error:
        return type(error)


@pytest.mark.parametrize(
    "changes",
    [
        UserChanges(),
        UserChanges(name="Annie", username="annie", bio="Hi.", image=IMAGE),
        UserChanges(email="taken@example.com"),
        UserChanges(role=Role.ADMIN),
        UserChanges(is_active=False),
        UserChanges(name="A"),
    ],
    ids=["nothing", "profile", "taken-email", "role", "deactivation", "invalid-name"],
)
def test_without_a_password_updating_ones_account_is_updating_oneself(
    update_own: UpdateOwnAccount,
    counted_uow: CountingUnitOfWork,
    uow: InMemoryUnitOfWork,
    given: Given,
    sign_in: SignIn,
    clock: FixedClock,
    changes: UserChanges,
) -> None:
    """Same answer, same rows, same sessions and the same commit as UpdateUser on oneself."""
    given.user(email="taken@example.com")
    ann = sign_in(name="Ann")
    sign_in(ann.user)
    twin = CountingUnitOfWork(uow.store.snapshot())
    clock.advance(hours=1)
    expected = _outcome(lambda: UpdateUser(twin, clock)(ann.actor, ann.user.id or 0, changes))
    assert _outcome(lambda: update_own(ann.actor, changes, None)) == expected
    assert (uow.store.users, uow.store.sessions) == (twin.store.users, twin.store.sessions)
    assert counted_uow.commits == twin.commits
