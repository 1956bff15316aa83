"""UpdateUser: who may change what, e-mail uniqueness, and keeping one active admin."""

from __future__ import annotations

import pytest

from application.auth import Authenticate
from application.users import OPERATOR, UpdateUser, UserChanges
from domain.errors import (
    AdminOnly,
    EmailTaken,
    InvalidInput,
    LastAdmin,
    NotAccountOwner,
    TokenRevoked,
    UserNotFound,
)
from domain.users import Role
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import LATER, T0, FixedClock, actor_for
from tests.unit.conftest import Given, SignIn, Stored

# --- what a user may change -----------------------------------------------------------------


def test_a_user_changes_their_own_name(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user(name="Ann")
    changed = update_user(actor_for(ann), ann.id, UserChanges(name="  Annie  "))
    assert changed.name == "Annie"
    assert stored.user(ann.id) == changed


def test_a_user_changes_their_own_email_which_is_stored_lower_cased(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user(email="ann@example.com")
    changed = update_user(actor_for(ann), ann.id, UserChanges(email="Annie@Example.COM"))
    assert changed.email == "annie@example.com"


def test_a_real_change_moves_updated_at_and_commits(
    update_user: UpdateUser, given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    ann = given.user(name="Ann")
    clock.advance(hours=1)
    changed = update_user(actor_for(ann), ann.id, UserChanges(name="Annie"))
    assert (changed.created_at, changed.updated_at) == (T0, LATER)
    assert uow.committed


def test_empty_changes_change_nothing_and_do_not_commit(
    update_user: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    assert update_user(actor_for(ann), ann.id, UserChanges()) == ann
    assert (stored.user(ann.id), uow.committed) == (ann, False)


def test_changes_to_the_current_values_change_nothing_and_do_not_commit(
    update_user: UpdateUser, given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    ann = given.user(name="Ann", email="ann@example.com")
    clock.advance(hours=1)
    changes = UserChanges(name=" Ann ", email="ANN@example.com")
    assert update_user(actor_for(ann), ann.id, changes).updated_at == T0
    assert not uow.committed


def test_an_invalid_name_and_email_are_reported_together(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user()
    with pytest.raises(InvalidInput) as raised:
        update_user(actor_for(ann), ann.id, UserChanges(name="A", email="nope"))
    assert set(raised.value.errors) == {"name", "email"}


def test_a_user_may_not_change_another_users_account(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(), given.user(name="Bob")
    with pytest.raises(NotAccountOwner):
        update_user(actor_for(ann), bob.id, UserChanges(name="Robert"))
    assert stored.user(bob.id) == bob


def test_a_user_sending_a_role_is_refused_even_for_their_own_account(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user()
    with pytest.raises(AdminOnly):
        update_user(actor_for(ann), ann.id, UserChanges(role=Role.ADMIN))
    assert stored.user(ann.id) == ann


def test_a_user_sending_their_current_role_is_refused_too(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user()
    with pytest.raises(AdminOnly):
        update_user(actor_for(ann), ann.id, UserChanges(role=Role.USER))


def test_a_user_sending_is_active_is_refused_even_for_their_own_account(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user()
    with pytest.raises(AdminOnly):
        update_user(actor_for(ann), ann.id, UserChanges(is_active=False))
    assert stored.user(ann.id) == ann


def test_a_refused_admin_only_change_applies_none_of_the_other_changes(
    update_user: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(name="Ann")
    with pytest.raises(AdminOnly):
        update_user(actor_for(ann), ann.id, UserChanges(name="Annie", is_active=True))
    assert (stored.user(ann.id), uow.committed) == (ann, False)


def test_changing_to_a_taken_email_is_refused(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    given.user(email="bob@example.com")
    ann = given.user(email="ann@example.com")
    with pytest.raises(EmailTaken):
        update_user(actor_for(ann), ann.id, UserChanges(email="bob@example.com"))
    assert stored.user(ann.id) == ann


def test_changing_to_a_taken_email_is_refused_without_regard_to_case(
    update_user: UpdateUser, given: Given
) -> None:
    given.user(email="bob@example.com")
    ann = given.user()
    with pytest.raises(EmailTaken):
        update_user(actor_for(ann), ann.id, UserChanges(email="BOB@Example.com"))


def test_updating_a_missing_user_is_not_found(update_user: UpdateUser, given: Given) -> None:
    with pytest.raises(UserNotFound):
        update_user(actor_for(given.admin()), 999, UserChanges(name="Ghost"))


# --- what an admin may change ---------------------------------------------------------------


def test_an_admin_changes_another_users_name_and_email(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user()
    changed = update_user(
        actor_for(given.admin()),
        ann.id,
        UserChanges(name="Ann B", email="annb@example.com"),
    )
    assert (changed.name, changed.email) == ("Ann B", "annb@example.com")


def test_an_admin_promotes_a_user(update_user: UpdateUser, given: Given, stored: Stored) -> None:
    ann = given.user()
    update_user(actor_for(given.admin()), ann.id, UserChanges(role=Role.ADMIN))
    assert stored.user(ann.id).role is Role.ADMIN


def test_an_admin_demotes_another_admin(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    boss, other = given.admin(), given.admin()
    update_user(actor_for(boss), other.id, UserChanges(role=Role.USER))
    assert stored.user(other.id).role is Role.USER


def test_an_admin_deactivates_a_user(update_user: UpdateUser, given: Given, stored: Stored) -> None:
    ann = given.user()
    update_user(actor_for(given.admin()), ann.id, UserChanges(is_active=False))
    assert stored.user(ann.id).is_active is False


def test_an_admin_reactivates_a_user(update_user: UpdateUser, given: Given, stored: Stored) -> None:
    ann = given.user(is_active=False)
    update_user(actor_for(given.admin()), ann.id, UserChanges(is_active=True))
    assert stored.user(ann.id).is_active is True


def test_deactivating_a_user_revokes_all_their_sessions(
    update_user: UpdateUser, given: Given, sign_in: SignIn, stored: Stored
) -> None:
    phone = sign_in()
    laptop = sign_in(phone.user)
    update_user(actor_for(given.admin()), phone.user.id, UserChanges(is_active=False))
    assert stored.session(phone.actor.session_id).is_revoked
    assert stored.session(laptop.actor.session_id).is_revoked


def test_a_deactivated_users_tokens_stop_working_at_once(
    update_user: UpdateUser, given: Given, sign_in: SignIn, authenticate: Authenticate
) -> None:
    ann = sign_in()
    update_user(actor_for(given.admin()), ann.user.id, UserChanges(is_active=False))
    with pytest.raises(TokenRevoked):
        authenticate(ann.tokens.access_token)


def test_deactivating_a_user_leaves_other_users_sessions_alone(
    update_user: UpdateUser, given: Given, sign_in: SignIn, stored: Stored
) -> None:
    ann, bob = sign_in(), sign_in()
    update_user(actor_for(given.admin()), ann.user.id, UserChanges(is_active=False))
    assert not stored.session(bob.actor.session_id).is_revoked


# --- the last active admin ------------------------------------------------------------------


def test_the_last_active_admin_cannot_be_demoted(
    update_user: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    boss = given.admin()
    with pytest.raises(LastAdmin):
        update_user(actor_for(boss), boss.id, UserChanges(role=Role.USER))
    assert (stored.user(boss.id), uow.committed) == (boss, False)


def test_the_last_active_admin_cannot_be_deactivated(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    boss = given.admin()
    with pytest.raises(LastAdmin):
        update_user(actor_for(boss), boss.id, UserChanges(is_active=False))
    assert stored.user(boss.id) == boss


def test_a_refused_deactivation_of_the_last_admin_keeps_their_sessions(
    update_user: UpdateUser, sign_in: SignIn, authenticate: Authenticate
) -> None:
    boss = sign_in(role=Role.ADMIN)
    with pytest.raises(LastAdmin):
        update_user(boss.actor, boss.user.id, UserChanges(is_active=False))
    assert authenticate(boss.tokens.access_token) == boss.actor


def test_an_inactive_admin_does_not_count_as_another_admin(
    update_user: UpdateUser, given: Given
) -> None:
    boss = given.admin()
    given.admin(is_active=False)
    with pytest.raises(LastAdmin):
        update_user(actor_for(boss), boss.id, UserChanges(role=Role.USER))


def test_an_admin_may_step_down_while_another_active_admin_remains(
    update_user: UpdateUser, given: Given
) -> None:
    boss = given.admin()
    given.admin()
    changed = update_user(actor_for(boss), boss.id, UserChanges(role=Role.USER))
    assert changed.role is Role.USER


def test_of_two_admins_demoting_each_other_the_second_demotion_fails(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    """Both requests were authenticated as admins before either ran."""
    ann, bob = given.admin(), given.admin()
    update_user(actor_for(ann), bob.id, UserChanges(role=Role.USER))
    with pytest.raises(LastAdmin):
        update_user(actor_for(bob), ann.id, UserChanges(role=Role.USER))
    assert stored.user(ann.id).is_active_admin


def test_a_demoted_admin_re_authenticated_cannot_demote_anybody(
    update_user: UpdateUser, sign_in: SignIn, authenticate: Authenticate
) -> None:
    ann, bob = sign_in(role=Role.ADMIN), sign_in(role=Role.ADMIN)
    update_user(ann.actor, bob.user.id, UserChanges(role=Role.USER))
    fresh_bob = authenticate(bob.tokens.access_token)
    with pytest.raises(NotAccountOwner):
        update_user(fresh_bob, ann.user.id, UserChanges(role=Role.USER))


def test_of_two_admins_stepping_down_in_turn_the_second_fails(
    update_user: UpdateUser, given: Given
) -> None:
    ann, bob = given.admin(), given.admin()
    update_user(actor_for(ann), ann.id, UserChanges(role=Role.USER))
    with pytest.raises(LastAdmin):
        update_user(actor_for(bob), bob.id, UserChanges(role=Role.USER))


def test_of_two_admins_deactivating_each_other_the_second_fails(
    update_user: UpdateUser, given: Given
) -> None:
    ann, bob = given.admin(), given.admin()
    update_user(actor_for(ann), bob.id, UserChanges(is_active=False))
    with pytest.raises(LastAdmin):
        update_user(actor_for(bob), ann.id, UserChanges(is_active=False))


def test_an_inactive_admin_may_be_demoted(update_user: UpdateUser, given: Given) -> None:
    boss = given.admin()
    retired = given.admin(is_active=False)
    changed = update_user(actor_for(boss), retired.id, UserChanges(role=Role.USER))
    assert changed.role is Role.USER


def test_the_last_admin_may_still_change_their_name(update_user: UpdateUser, given: Given) -> None:
    boss = given.admin(name="Boss")
    changed = update_user(actor_for(boss), boss.id, UserChanges(name="Chief", role=Role.ADMIN))
    assert (changed.name, changed.role) == ("Chief", Role.ADMIN)


# --- the command line -----------------------------------------------------------------------


def test_the_operator_changes_a_role_by_email(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user(email="ann@example.com")
    update_user(OPERATOR, "ann@example.com", UserChanges(role=Role.ADMIN))
    assert stored.user(ann.id).role is Role.ADMIN


def test_the_operator_finds_a_user_by_email_without_regard_to_case(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user(email="ann@example.com")
    assert update_user(OPERATOR, "Ann@EXAMPLE.com", UserChanges(is_active=False)).id == ann.id


def test_the_operator_deactivates_a_user_and_their_sessions_end(
    update_user: UpdateUser, sign_in: SignIn, stored: Stored
) -> None:
    ann = sign_in(email="ann@example.com")
    update_user(OPERATOR, "ann@example.com", UserChanges(is_active=False))
    assert stored.session(ann.actor.session_id).is_revoked


def test_the_operator_cannot_demote_the_last_active_admin(
    update_user: UpdateUser, given: Given
) -> None:
    given.admin(email="boss@example.com")
    with pytest.raises(LastAdmin):
        update_user(OPERATOR, "boss@example.com", UserChanges(role=Role.USER))


def test_the_operator_cannot_deactivate_the_last_active_admin(
    update_user: UpdateUser, given: Given
) -> None:
    given.admin(email="boss@example.com")
    with pytest.raises(LastAdmin):
        update_user(OPERATOR, "boss@example.com", UserChanges(is_active=False))


def test_the_operator_naming_an_unknown_email_is_not_found(update_user: UpdateUser) -> None:
    with pytest.raises(UserNotFound):
        update_user(OPERATOR, "nobody@example.com", UserChanges(is_active=False))
