"""Registering, reading, listing and deleting users, and changing one's password."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.auth import Authenticate, Credentials, LogIn, RefreshTokens
from application.paging import PageRequest
from application.users import (
    OPERATOR,
    ChangePassword,
    DeleteUser,
    GetUser,
    ListUsers,
    PasswordChange,
    RegisterUser,
    Registration,
)
from domain.errors import (
    AdminOnly,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    LastAdmin,
    LoginThrottled,
    PasswordGuessesThrottled,
    TokenRevoked,
    UserNotFound,
)
from domain.users import PublicProfile, Role, User
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import NEW_PASSWORD, PASSWORD, T0, FixedClock, actor_for, make_registration
from tests.unit.conftest import Given, SignIn, Stored

# --- RegisterUser ---------------------------------------------------------------------------


def test_registering_stores_a_new_user(register_user: RegisterUser, stored: Stored) -> None:
    user = register_user(make_registration())
    assert user.id is not None
    assert stored.user(user.id) == user


def test_registering_commits(register_user: RegisterUser, uow: InMemoryUnitOfWork) -> None:
    register_user(make_registration())
    assert uow.committed


def test_a_registered_users_email_is_lower_cased_and_name_trimmed(
    register_user: RegisterUser,
) -> None:
    user = register_user(make_registration(email=" Ann@Example.COM ", name="  Ann Smith  "))
    assert (user.email, user.name) == ("ann@example.com", "Ann Smith")


def test_a_registered_user_is_an_active_user_created_now(
    register_user: RegisterUser, clock: FixedClock
) -> None:
    user = register_user(make_registration())
    assert (user.role, user.is_active) == (Role.USER, True)
    assert user.created_at == user.updated_at == clock()


def test_the_password_is_stored_only_as_a_hash(
    register_user: RegisterUser, hasher: Argon2PasswordHasher
) -> None:
    user = register_user(make_registration())
    assert PASSWORD not in user.password_hash
    assert hasher.verify(user.password_hash, PASSWORD)


def test_nobody_registers_as_an_admin_through_the_default_role(register_user: RegisterUser) -> None:
    assert register_user(make_registration()).role is Role.USER


def test_a_registration_has_no_role_field() -> None:
    with pytest.raises(TypeError):
        Registration(email="a@example.com", name="Ann", password=PASSWORD, role="admin")


def test_the_command_line_path_may_register_an_admin(register_user: RegisterUser) -> None:
    assert register_user(make_registration(), role=Role.ADMIN).role is Role.ADMIN


def test_every_invalid_field_of_a_registration_is_reported_together(
    register_user: RegisterUser,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        register_user(make_registration(email="nope", name="A", password="short"))
    assert set(raised.value.errors) == {"email", "name", "password"}


def test_an_invalid_registration_stores_nothing(
    register_user: RegisterUser, uow: InMemoryUnitOfWork, stored: Stored
) -> None:
    with pytest.raises(InvalidInput):
        register_user(make_registration(password="weak"))
    assert (stored.user_count(), uow.committed) == (0, False)


def test_a_taken_email_is_refused(register_user: RegisterUser, given: Given) -> None:
    given.user(email="ann@example.com")
    with pytest.raises(EmailTaken):
        register_user(make_registration(email="ann@example.com"))


def test_a_taken_email_is_refused_without_regard_to_case(
    register_user: RegisterUser, given: Given, stored: Stored
) -> None:
    given.user(email="ann@example.com")
    with pytest.raises(EmailTaken):
        register_user(make_registration(email="ANN@Example.com"))
    assert stored.user_count() == 1


# --- ChangePassword -------------------------------------------------------------------------


def test_changing_the_password_stores_a_hash_of_the_new_one(
    change_password: ChangePassword, given: Given, stored: Stored, hasher: Argon2PasswordHasher
) -> None:
    ann = given.user(password=PASSWORD)
    change_password(actor_for(ann), RIGHT_CHANGE)
    new_hash = stored.user(ann.id).password_hash
    assert hasher.verify(new_hash, NEW_PASSWORD)
    assert not hasher.verify(new_hash, PASSWORD)


def test_after_a_password_change_only_the_new_password_logs_in(
    change_password: ChangePassword, log_in: LogIn, given: Given
) -> None:
    ann = given.user(password=PASSWORD)
    change_password(actor_for(ann), RIGHT_CHANGE)
    with pytest.raises(InvalidCredentials):
        log_in(Credentials(email=ann.email, password=PASSWORD))
    assert log_in(Credentials(email=ann.email, password=NEW_PASSWORD)).user.id == ann.id


def test_a_wrong_current_password_is_a_validation_error_on_current_password(
    change_password: ChangePassword, given: Given
) -> None:
    ann = given.user(password=PASSWORD)
    with pytest.raises(InvalidInput) as raised:
        change_password(
            actor_for(ann), PasswordChange(current_password="Not-It-123", new_password=NEW_PASSWORD)
        )
    assert list(raised.value.errors) == ["current_password"]


def test_a_wrong_current_password_changes_nothing(
    change_password: ChangePassword, authenticate: Authenticate, sign_in: SignIn, stored: Stored
) -> None:
    here = sign_in()
    elsewhere = sign_in(here.user)
    with pytest.raises(InvalidInput):
        change_password(
            here.actor, PasswordChange(current_password="Not-It-123", new_password=NEW_PASSWORD)
        )
    assert stored.user(here.user.id) == here.user  # only the guess is kept (below)
    assert authenticate(elsewhere.tokens.access_token).id == here.user.id


# The current password, then a valid new one.
RIGHT_CHANGE = PasswordChange(current_password=PASSWORD, new_password=NEW_PASSWORD)


def guess(change_password: ChangePassword, who: User, current: str = "Not-It-123") -> None:
    with pytest.raises(InvalidInput):
        change_password(
            actor_for(who), PasswordChange(current_password=current, new_password=NEW_PASSWORD)
        )


def test_a_wrong_current_password_is_kept_as_a_guess_of_the_user(
    change_password: ChangePassword, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(password=PASSWORD)
    guess(change_password, ann)
    with uow:
        assert uow.password_guesses.since(ann.id, T0 - timedelta(hours=1)) == [T0]
        assert uow.login_attempts.failures_since(ann.email, T0 - timedelta(hours=1)) == []


def test_five_wrong_current_passwords_refuse_the_next_change_until_the_window_passes(
    change_password: ChangePassword, given: Given, stored: Stored, clock: FixedClock
) -> None:
    ann = given.user(password=PASSWORD)
    for _ in range(5):
        guess(change_password, ann)
        clock.advance(minutes=1)
    with pytest.raises(PasswordGuessesThrottled) as raised:
        change_password(actor_for(ann), RIGHT_CHANGE)
    assert raised.value.retry_after == 10 * 60  # the first guess leaves the window then
    assert stored.user(ann.id) == ann
    clock.advance(minutes=10)
    change_password(actor_for(ann), RIGHT_CHANGE)
    assert stored.user(ann.id).password_hash != ann.password_hash


def test_a_wrong_current_password_past_the_limit_is_refused_and_not_counted(
    change_password: ChangePassword, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(password=PASSWORD)
    for _ in range(5):
        guess(change_password, ann)
    wrong = PasswordChange(current_password="Not-It-123", new_password=NEW_PASSWORD)
    with pytest.raises(PasswordGuessesThrottled):
        change_password(actor_for(ann), wrong)
    with uow:
        assert len(uow.password_guesses.since(ann.id, T0 - timedelta(hours=1))) == 5


def test_failed_logins_and_wrong_current_passwords_are_counted_apart(
    change_password: ChangePassword, log_in: LogIn, given: Given, stored: Stored
) -> None:
    """A stranger's failed logins lock the login, not the owner's change of password; the
    owner's wrong guesses lock the change, not the login."""
    ann = given.user(password=PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            log_in(Credentials(email=ann.email, password="Not-It-123"))
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email=ann.email, password=PASSWORD))
    for _ in range(5):
        guess(change_password, ann)
    with pytest.raises(PasswordGuessesThrottled):
        change_password(actor_for(ann), RIGHT_CHANGE)
    assert stored.user(ann.id) == ann


def test_a_stranger_locking_the_login_leaves_the_change_open(
    change_password: ChangePassword, log_in: LogIn, given: Given, stored: Stored
) -> None:
    ann = given.user(password=PASSWORD)
    for _ in range(6):
        with pytest.raises((InvalidCredentials, LoginThrottled)):
            log_in(Credentials(email=ann.email, password="Not-It-123"))
    change_password(actor_for(ann), RIGHT_CHANGE)
    assert stored.user(ann.id).password_hash != ann.password_hash


def test_a_changed_password_forgets_the_wrong_guesses_before_it(
    change_password: ChangePassword, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(password=PASSWORD)
    for _ in range(4):
        guess(change_password, ann)
    change_password(actor_for(ann), RIGHT_CHANGE)
    with uow:
        assert uow.password_guesses.since(ann.id, T0 - timedelta(hours=1)) == []


@pytest.mark.parametrize("weak", ["short1A", "alllowercase1", "NoDigitsHere", "A1" + "a" * 127])
def test_a_new_password_must_meet_the_policy(
    change_password: ChangePassword, given: Given, stored: Stored, weak: str
) -> None:
    ann = given.user(password=PASSWORD)
    with pytest.raises(InvalidInput) as raised:
        change_password(
            actor_for(ann), PasswordChange(current_password=PASSWORD, new_password=weak)
        )
    assert list(raised.value.errors) == ["new_password"]
    assert stored.user(ann.id) == ann


def test_changing_the_password_moves_updated_at(
    change_password: ChangePassword, given: Given, stored: Stored, clock: FixedClock
) -> None:
    ann = given.user(password=PASSWORD)
    clock.advance(hours=1)
    change_password(actor_for(ann), RIGHT_CHANGE)
    assert stored.user(ann.id).updated_at == T0 + timedelta(hours=1)


def test_changing_the_password_revokes_the_users_other_sessions(
    change_password: ChangePassword, authenticate: Authenticate, sign_in: SignIn
) -> None:
    here = sign_in()
    elsewhere = sign_in(here.user)
    change_password(here.actor, RIGHT_CHANGE)
    with pytest.raises(TokenRevoked):
        authenticate(elsewhere.tokens.access_token)


def test_changing_the_password_revokes_the_other_sessions_refresh_tokens_too(
    change_password: ChangePassword, refresh: RefreshTokens, sign_in: SignIn
) -> None:
    here = sign_in()
    elsewhere = sign_in(here.user)
    change_password(here.actor, RIGHT_CHANGE)
    with pytest.raises(TokenRevoked):
        refresh(elsewhere.tokens.refresh_token)


def test_changing_the_password_keeps_the_current_session(
    change_password: ChangePassword,
    authenticate: Authenticate,
    refresh: RefreshTokens,
    sign_in: SignIn,
) -> None:
    here = sign_in()
    sign_in(here.user)
    change_password(here.actor, RIGHT_CHANGE)
    assert authenticate(here.tokens.access_token) == here.actor
    assert refresh(here.tokens.refresh_token).access_token


def test_changing_the_password_leaves_other_users_sessions_alone(
    change_password: ChangePassword, authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    bob = sign_in()
    change_password(ann.actor, RIGHT_CHANGE)
    assert authenticate(bob.tokens.access_token) == bob.actor


# --- ListUsers ------------------------------------------------------------------------------


def test_only_an_admin_may_list_users(list_users: ListUsers, given: Given) -> None:
    ann = given.user()
    with pytest.raises(AdminOnly):
        list_users(actor_for(ann), PageRequest())


def test_an_admin_lists_every_user_newest_first(list_users: ListUsers, given: Given) -> None:
    boss = given.admin(created_at=T0 - timedelta(days=3), updated_at=T0 - timedelta(days=3))
    old = given.user(created_at=T0 - timedelta(days=2), updated_at=T0 - timedelta(days=2))
    new = given.user(created_at=T0 - timedelta(days=1), updated_at=T0 - timedelta(days=1))
    page = list_users(actor_for(boss), PageRequest())
    assert page.items == [new, old, boss]
    assert (page.total, page.pages, page.next_cursor) == (3, 1, None)


def test_users_created_at_the_same_time_are_listed_by_id_descending(
    list_users: ListUsers, given: Given
) -> None:
    users = [given.admin(), given.user(), given.user()]
    page = list_users(actor_for(users[0]), PageRequest())
    assert [u.id for u in page.items] == sorted((u.id for u in users), reverse=True)


def test_listing_users_searches_names_and_emails_without_regard_to_case(
    list_users: ListUsers, given: Given
) -> None:
    boss = given.admin(email="boss@example.com", name="The Boss")
    by_name = given.user(email="x1@example.com", name="Ann SMITH")
    by_email = given.user(email="smithy@example.com", name="Bob")
    given.user(email="carol@example.com", name="Carol")
    page = list_users(actor_for(boss), PageRequest(), search="Smith")
    assert {u.id for u in page.items} == {by_name.id, by_email.id}
    assert page.total == 2


def test_a_user_search_longer_than_any_address_is_a_validation_error(
    list_users: ListUsers, given: Given
) -> None:
    boss = given.admin(email="boss@example.com")
    assert list_users(actor_for(boss), PageRequest(), search="b" * 254).items == []
    with pytest.raises(InvalidInput) as refused:
        list_users(actor_for(boss), PageRequest(), search="b" * 255)
    assert refused.value.errors == {"search": ["Must be at most 254 characters."]}


def test_listing_users_pages_with_a_cursor(list_users: ListUsers, given: Given) -> None:
    boss = given.admin()
    for _ in range(4):
        given.user()
    first = list_users(actor_for(boss), PageRequest(per_page=3))
    rest = list_users(actor_for(boss), PageRequest(per_page=3, cursor=first.next_cursor))
    assert (len(first.items), len(rest.items), rest.next_cursor) == (3, 2, None)
    assert {u.id for u in first.items}.isdisjoint({u.id for u in rest.items})
    assert first.total == rest.total == 5


def test_listing_users_refuses_bad_paging(list_users: ListUsers, given: Given) -> None:
    boss = given.admin()
    with pytest.raises(InvalidInput):
        list_users(actor_for(boss), PageRequest(per_page=101))


def test_listing_users_changes_nothing(
    list_users: ListUsers, given: Given, uow: InMemoryUnitOfWork
) -> None:
    list_users(actor_for(given.admin()), PageRequest())
    assert not uow.committed


# --- GetUser --------------------------------------------------------------------------------


def test_a_user_sees_their_own_full_record(get_user: GetUser, given: Given) -> None:
    ann = given.user()
    assert get_user(actor_for(ann), ann.id) == ann


def test_an_admin_sees_anybodys_full_record(get_user: GetUser, given: Given) -> None:
    ann = given.user()
    assert get_user(actor_for(given.admin()), ann.id) == ann


def test_another_user_sees_only_a_public_profile(get_user: GetUser, given: Given) -> None:
    ann = given.user(name="Ann")
    seen = get_user(actor_for(given.user()), ann.id)
    assert not isinstance(seen, User)
    assert seen == PublicProfile(id=ann.id, name="Ann", created_at=ann.created_at)


def test_getting_a_missing_user_is_not_found(get_user: GetUser, given: Given) -> None:
    with pytest.raises(UserNotFound):
        get_user(actor_for(given.admin()), 999)


# --- DeleteUser -----------------------------------------------------------------------------


def test_only_an_admin_may_delete_a_user(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(), given.user()
    with pytest.raises(AdminOnly):
        delete_user(actor_for(ann), bob.id)
    assert stored.user(bob.id) == bob


def test_a_user_may_not_delete_even_their_own_account(
    delete_user: DeleteUser, given: Given
) -> None:
    ann = given.user()
    with pytest.raises(AdminOnly):
        delete_user(actor_for(ann), ann.id)


def test_an_admin_deletes_a_user(
    delete_user: DeleteUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    delete_user(actor_for(given.admin()), ann.id)
    assert stored.user(ann.id) is None
    assert uow.committed


def test_deleting_a_user_deletes_their_posts_and_no_one_elses(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(), given.user()
    anns = [given.post(ann), given.post(ann, published=False)]
    bobs = given.post(bob)
    delete_user(actor_for(given.admin()), ann.id)
    assert [stored.post(p.id) for p in anns] == [None, None]
    assert stored.post(bobs.id) is not None


def test_deleting_a_user_deletes_their_sessions(
    delete_user: DeleteUser, sign_in: SignIn, given: Given, stored: Stored
) -> None:
    ann = sign_in()
    delete_user(actor_for(given.admin()), ann.user.id)
    assert stored.session(ann.actor.session_id) is None


def test_the_last_active_admin_cannot_be_deleted(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    boss = given.admin()
    with pytest.raises(LastAdmin):
        delete_user(actor_for(boss), boss.id)
    assert stored.user(boss.id) == boss


def test_an_inactive_admin_does_not_save_the_last_active_one(
    delete_user: DeleteUser, given: Given
) -> None:
    boss = given.admin()
    given.admin(is_active=False)
    with pytest.raises(LastAdmin):
        delete_user(actor_for(boss), boss.id)


def test_an_admin_may_be_deleted_while_another_active_admin_remains(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    boss, other = given.admin(), given.admin()
    delete_user(actor_for(boss), other.id)
    assert stored.user(other.id) is None


def test_an_inactive_admin_may_be_deleted(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    boss, retired = given.admin(), given.admin(is_active=False)
    delete_user(actor_for(boss), retired.id)
    assert stored.user(retired.id) is None


def test_deleting_a_missing_user_is_not_found(delete_user: DeleteUser, given: Given) -> None:
    with pytest.raises(UserNotFound):
        delete_user(actor_for(given.admin()), 999)


def test_the_operator_deletes_a_user_by_email_without_regard_to_case(
    delete_user: DeleteUser, given: Given, stored: Stored
) -> None:
    ann = given.user(email="ann@example.com")
    delete_user(OPERATOR, "ANN@example.com")
    assert stored.user(ann.id) is None


def test_the_operator_cannot_delete_the_last_active_admin(
    delete_user: DeleteUser, given: Given
) -> None:
    boss = given.admin(email="boss@example.com")
    with pytest.raises(LastAdmin):
        delete_user(OPERATOR, boss.email)


def test_the_operator_deleting_an_unknown_email_is_not_found(delete_user: DeleteUser) -> None:
    with pytest.raises(UserNotFound):
        delete_user(OPERATOR, "nobody@example.com")
