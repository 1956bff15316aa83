"""PASSWORD_RULES: `composed` (the default) and `length`, in the domain and the use cases."""

from __future__ import annotations

import pytest

from application.users import ChangePassword, PasswordChange, RegisterUser, Registration
from domain.errors import InvalidInput
from domain.users import PasswordRules, check_password
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import PASSWORD, FixedClock, actor_for
from tests.unit.conftest import Given

# What the RealWorld suite sends: accepted under `length`, refused under `composed`.
PLAIN = ["bonjour1", "password123", "a" * 64, "a" * 128, "        "]


def test_each_rule_set_says_itself_in_one_sentence() -> None:
    assert PasswordRules.COMPOSED.described == (
        "8 to 128 characters with at least one upper-case letter (A to Z) and one digit (0 to 9),"
        " and no control character."
    )
    assert PasswordRules.LENGTH.described == "8 to 128 characters of any kind but control ones."


@pytest.mark.parametrize("password", PLAIN)
def test_the_length_rules_take_any_8_to_128_characters(password: str) -> None:
    check_password(password, rules=PasswordRules.LENGTH)


@pytest.mark.parametrize("password", ["short7c", "", "a" * 129])
def test_the_length_rules_refuse_fewer_than_8_or_more_than_128_characters(password: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password(password, rules=PasswordRules.LENGTH)
    assert raised.value.errors == {"password": ["Must be 8 to 128 characters long."]}


@pytest.mark.parametrize("password", PLAIN)
def test_the_composed_rules_refuse_what_lacks_an_upper_case_letter_or_a_digit(
    password: str,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password(password, rules=PasswordRules.COMPOSED)
    assert any("Must contain" in problem for problem in raised.value.errors["password"])


def test_the_composed_rules_are_the_default() -> None:
    with pytest.raises(InvalidInput):
        check_password("bonjour1")
    check_password("Bonjour1")


@pytest.mark.parametrize("rules", list(PasswordRules))
def test_both_rule_sets_take_a_composed_password(rules: PasswordRules) -> None:
    check_password("Correct-Horse-9", rules=rules)


def test_only_the_composed_rules_need_kinds_of_character() -> None:
    assert PasswordRules.COMPOSED.needs and PasswordRules.LENGTH.needs == {}


def test_registration_follows_the_deployment_s_rules(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> None:
    plain = Registration(email="ann@example.com", name="Ann", password="bonjour1")

    with pytest.raises(InvalidInput) as raised:
        RegisterUser(uow, hasher, clock, password_rules=PasswordRules.COMPOSED)(plain)
    assert "password" in raised.value.errors

    user = RegisterUser(uow, hasher, clock, password_rules=PasswordRules.LENGTH)(plain)
    assert hasher.verify(user.password_hash, "bonjour1")


def test_registration_under_length_rules_still_refuses_a_short_password(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> None:
    short = Registration(email="ann@example.com", name="Ann", password="short7c")
    with pytest.raises(InvalidInput) as raised:
        RegisterUser(uow, hasher, clock, password_rules=PasswordRules.LENGTH)(short)
    assert raised.value.errors == {"password": ["Must be 8 to 128 characters long."]}
    assert not uow.committed


@pytest.mark.parametrize(
    ("rules", "accepted"), [(PasswordRules.COMPOSED, False), (PasswordRules.LENGTH, True)]
)
def test_a_password_change_follows_the_deployment_s_rules(
    rules: PasswordRules,
    accepted: bool,
    given: Given,
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
) -> None:
    user = given.user(password=PASSWORD)
    change = ChangePassword(uow, hasher, clock, rules)
    wanted = PasswordChange(current_password=PASSWORD, new_password="bonjour1")

    if accepted:
        change(actor_for(user), wanted)
        assert uow.committed
    else:
        with pytest.raises(InvalidInput) as raised:
            change(actor_for(user), wanted)
        assert list(raised.value.errors) == ["new_password"]
        assert not uow.committed
