"""Logging in: credentials, inactive accounts, rehashing, and the failed-login throttle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from application.auth import Authenticate, Credentials, LogIn, TokenIssuer
from application.tokens import LoginThrottle
from domain.errors import AccountInactive, InvalidCredentials, LoginThrottled
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import PASSWORD, T0, FixedClock
from tests.unit.conftest import CountingHasher, Given, MeddlingHasher, Stored

WRONG = "Wrong-Password-1"
EMAIL = "ann@example.com"


def fail(log_in: LogIn, email: str = EMAIL, password: str = WRONG) -> None:
    with pytest.raises(InvalidCredentials):
        log_in(Credentials(email=email, password=password))


def failures(uow: InMemoryUnitOfWork, email: str = EMAIL) -> list[object]:
    with uow:
        return list(uow.login_attempts.failures_since(email, T0 - timedelta(days=365)))


@pytest.fixture
def counting(hasher: Argon2PasswordHasher) -> CountingHasher:
    return CountingHasher(hasher)


@pytest.fixture
def counted_log_in(
    uow: InMemoryUnitOfWork, counting: CountingHasher, issuer: TokenIssuer, clock: FixedClock
) -> LogIn:
    return LogIn(uow, counting, issuer, LoginThrottle(), clock)


@pytest.fixture
def ann(given: Given) -> object:
    return given.user(email=EMAIL, name="Ann", password=PASSWORD)


# --- success --------------------------------------------------------------------------------


def test_logging_in_returns_bearer_tokens_and_the_user(log_in: LogIn, ann: object) -> None:
    result = log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert result.user == ann
    assert result.tokens.token_type == "Bearer"
    assert result.tokens.expires_in == 15 * 60
    assert result.tokens.access_token != result.tokens.refresh_token


def test_logging_in_opens_a_session_for_the_user(
    log_in: LogIn, authenticate: Authenticate, stored: Stored, ann: object, clock: FixedClock
) -> None:
    result = log_in(Credentials(email=EMAIL, password=PASSWORD))
    actor = authenticate(result.tokens.access_token)
    session = stored.session(actor.session_id)
    assert session is not None
    assert (session.user_id, session.created_at) == (result.user.id, clock())
    assert session.expires_at == clock() + timedelta(days=30)
    assert not session.is_revoked


def test_each_login_opens_a_session_of_its_own(
    log_in: LogIn, authenticate: Authenticate, ann: object
) -> None:
    first = log_in(Credentials(email=EMAIL, password=PASSWORD))
    second = log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert (
        authenticate(first.tokens.access_token).session_id
        != authenticate(second.tokens.access_token).session_id
    )


def test_logging_in_commits(log_in: LogIn, uow: InMemoryUnitOfWork, ann: object) -> None:
    log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert uow.committed


def test_login_matches_the_email_without_regard_to_case_or_spaces(
    log_in: LogIn, ann: object
) -> None:
    assert log_in(Credentials(email="  ANN@Example.Com ", password=PASSWORD)).user == ann


# --- refusals -------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_as_invalid_credentials(log_in: LogIn, ann: object) -> None:
    fail(log_in, EMAIL, WRONG)


def test_an_unknown_email_is_refused_as_invalid_credentials(log_in: LogIn) -> None:
    fail(log_in, "nobody@example.com", PASSWORD)


def test_unknown_email_and_wrong_password_answer_with_the_same_message(
    log_in: LogIn, ann: object
) -> None:
    with pytest.raises(InvalidCredentials) as unknown:
        log_in(Credentials(email="nobody@example.com", password=PASSWORD))
    with pytest.raises(InvalidCredentials) as wrong:
        log_in(Credentials(email=EMAIL, password=WRONG))
    assert (unknown.value.message, unknown.value.code) == (wrong.value.message, wrong.value.code)


def test_a_wrong_password_costs_exactly_one_hash_check(
    counted_log_in: LogIn, counting: CountingHasher, ann: object
) -> None:
    fail(counted_log_in, EMAIL, WRONG)
    assert len(counting.verified) == 1


def test_an_unknown_email_costs_exactly_one_hash_check_too(
    counted_log_in: LogIn, counting: CountingHasher
) -> None:
    fail(counted_log_in, "nobody@example.com", PASSWORD)
    assert counting.verified == [counting.dummy_hash]


def test_a_malformed_email_is_refused_as_invalid_credentials(log_in: LogIn) -> None:
    fail(log_in, "not an e-mail", PASSWORD)


def test_the_password_of_another_user_does_not_log_in(log_in: LogIn, given: Given) -> None:
    given.user(email=EMAIL, password=PASSWORD)
    given.user(email="bob@example.com", password="Bobs-Password-2")
    fail(log_in, EMAIL, "Bobs-Password-2")


def test_a_failed_login_opens_no_session(
    log_in: LogIn, uow: InMemoryUnitOfWork, ann: object
) -> None:
    fail(log_in)
    assert uow.store.sessions == {}


def test_an_inactive_user_with_the_right_password_is_refused_as_inactive(
    log_in: LogIn, given: Given
) -> None:
    given.user(email=EMAIL, password=PASSWORD, is_active=False)
    with pytest.raises(AccountInactive):
        log_in(Credentials(email=EMAIL, password=PASSWORD))


def test_an_inactive_user_with_a_wrong_password_learns_nothing_about_the_account(
    log_in: LogIn, given: Given
) -> None:
    given.user(email=EMAIL, password=PASSWORD, is_active=False)
    fail(log_in, EMAIL, WRONG)


def test_an_inactive_user_gets_no_session(
    log_in: LogIn, given: Given, uow: InMemoryUnitOfWork
) -> None:
    given.user(email=EMAIL, password=PASSWORD, is_active=False)
    with pytest.raises(AccountInactive):
        log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert uow.store.sessions == {}


# --- rehashing ------------------------------------------------------------------------------


def test_a_hash_made_with_old_argon2_parameters_is_replaced_on_login(
    uow: InMemoryUnitOfWork, issuer: TokenIssuer, clock: FixedClock, stored: Stored, ann: object
) -> None:
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    old_hash = stored.user_by_email(EMAIL).password_hash
    LogIn(uow, stronger, issuer, LoginThrottle(), clock)(
        Credentials(email=EMAIL, password=PASSWORD)
    )
    new_hash = stored.user_by_email(EMAIL).password_hash
    assert new_hash != old_hash
    assert not stronger.needs_rehash(new_hash)
    assert stronger.verify(new_hash, PASSWORD)


def test_a_hash_with_current_parameters_is_kept_on_login(
    log_in: LogIn, stored: Stored, ann: object
) -> None:
    before = stored.user_by_email(EMAIL)
    log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert stored.user_by_email(EMAIL) == before


# --- throttling -----------------------------------------------------------------------------


def test_five_failed_logins_within_15_minutes_throttle_the_email(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
        clock.advance(minutes=1)
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email=EMAIL, password=WRONG))


def test_a_throttled_email_is_refused_even_with_the_right_password(
    log_in: LogIn, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email=EMAIL, password=PASSWORD))


def test_four_failed_logins_do_not_throttle(log_in: LogIn, ann: object) -> None:
    for _ in range(4):
        fail(log_in)
    assert log_in(Credentials(email=EMAIL, password=PASSWORD)).user == ann


def test_unknown_emails_are_throttled_too(log_in: LogIn) -> None:
    for _ in range(5):
        fail(log_in, "nobody@example.com", PASSWORD)
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email="nobody@example.com", password=PASSWORD))


def test_the_throttle_counts_an_email_without_regard_to_case(log_in: LogIn, ann: object) -> None:
    for email in [
        "ann@example.com",
        "ANN@example.com",
        "Ann@Example.com",
        " ann@EXAMPLE.com",
        EMAIL,
    ]:
        fail(log_in, email)
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email=EMAIL, password=PASSWORD))


def test_the_throttle_of_one_email_does_not_touch_another(log_in: LogIn, given: Given) -> None:
    given.user(email=EMAIL, password=PASSWORD)
    bob = given.user(email="bob@example.com", password=PASSWORD)
    for _ in range(5):
        fail(log_in)
    assert log_in(Credentials(email="bob@example.com", password=PASSWORD)).user == bob


def test_a_throttled_login_says_when_the_window_reopens(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
        clock.advance(minutes=1)
    # failures at T0..T0+4m; the one at T0 leaves the 15-minute window at T0+15m
    with pytest.raises(LoginThrottled) as raised:
        log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert raised.value.retry_after == 10 * 60


def test_failures_older_than_15_minutes_no_longer_count(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
    clock.advance(minutes=15, seconds=1)
    assert log_in(Credentials(email=EMAIL, password=PASSWORD)).user == ann


def test_waiting_exactly_retry_after_seconds_reopens_login(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
    with pytest.raises(LoginThrottled) as raised:
        log_in(Credentials(email=EMAIL, password=PASSWORD))
    clock.advance(seconds=raised.value.retry_after)
    assert log_in(Credentials(email=EMAIL, password=PASSWORD)).user == ann


def test_when_the_oldest_failure_ages_out_one_more_failure_throttles_again(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
        clock.advance(minutes=1)
    clock.advance(minutes=10, seconds=30)  # T0+15m30s: only the failure at T0 has left
    fail(log_in)
    with pytest.raises(LoginThrottled):
        log_in(Credentials(email=EMAIL, password=PASSWORD))


def test_throttled_attempts_are_not_counted_as_more_failures(
    log_in: LogIn, clock: FixedClock, ann: object
) -> None:
    for _ in range(5):
        fail(log_in)
    for _ in range(3):
        with pytest.raises(LoginThrottled):
            log_in(Credentials(email=EMAIL, password=WRONG))
    clock.advance(minutes=15, seconds=1)
    assert log_in(Credentials(email=EMAIL, password=PASSWORD)).user == ann


def test_a_successful_login_clears_the_failure_count(
    log_in: LogIn, uow: InMemoryUnitOfWork, ann: object
) -> None:
    for _ in range(4):
        fail(log_in)
    log_in(Credentials(email=EMAIL, password=PASSWORD))
    assert failures(uow) == []


def test_after_a_successful_login_five_new_failures_are_needed_to_throttle(
    log_in: LogIn, ann: object
) -> None:
    for _ in range(4):
        fail(log_in)
    log_in(Credentials(email=EMAIL, password=PASSWORD))
    for _ in range(4):
        fail(log_in)
    assert log_in(Credentials(email=EMAIL, password=PASSWORD)).user == ann


def test_a_failed_login_is_recorded_and_committed(
    log_in: LogIn, uow: InMemoryUnitOfWork, ann: object
) -> None:
    fail(log_in)
    assert failures(uow) == [T0]
    assert uow.committed


def test_a_failed_login_prunes_failures_older_than_the_window(
    log_in: LogIn, uow: InMemoryUnitOfWork, clock: FixedClock, given: Given
) -> None:
    given.user(email="bob@example.com", password=PASSWORD)
    fail(log_in, "bob@example.com")
    clock.advance(minutes=16)
    fail(log_in, EMAIL)
    assert failures(uow, "bob@example.com") == []
    assert failures(uow, EMAIL) == [clock()]


def test_a_failed_login_keeps_failures_still_inside_the_window(
    log_in: LogIn, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    fail(log_in, "bob@example.com")
    clock.advance(minutes=14)
    fail(log_in, EMAIL)
    assert failures(uow, "bob@example.com") == [T0]


# --- hashing outside the locks ----------------------------------------------------------------


def meddled_log_in(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, issuer: TokenIssuer, clock: FixedClock,
    meanwhile: Callable[[], object],
) -> LogIn:  # fmt: skip
    return LogIn(uow, MeddlingHasher(hasher, meanwhile), issuer, LoginThrottle(), clock)


def test_a_password_changed_while_the_old_one_is_checked_does_not_log_in(
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    issuer: TokenIssuer,
    clock: FixedClock,
    ann: object,
) -> None:
    def change_password() -> None:
        with uow:
            user = uow.users.get_by_email(EMAIL)
            assert user is not None
            uow.users.save(user.rehashed(hasher.hash("Brand-New-Pass-1")))
            uow.commit()

    log_in = meddled_log_in(uow, hasher, issuer, clock, change_password)
    fail(log_in, password=PASSWORD)  # right a moment ago, no longer the password
    assert len(failures(uow)) == 1
    assert uow.store.sessions == {}


@pytest.mark.parametrize("password", [WRONG, PASSWORD])
def test_a_guess_checked_while_another_reached_the_limit_is_refused_unsaid(
    uow: InMemoryUnitOfWork,
    log_in: LogIn,
    hasher: Argon2PasswordHasher,
    issuer: TokenIssuer,
    clock: FixedClock,
    ann: object,
    password: str,
) -> None:
    for _ in range(4):
        fail(log_in)
    # Both guesses pass the first look at four failures; the other one settles first.
    racing = meddled_log_in(uow, hasher, issuer, clock, lambda: fail(log_in))
    with pytest.raises(LoginThrottled):
        racing(Credentials(email=EMAIL, password=password))
    assert len(failures(uow)) == 5


def test_two_logins_at_once_both_succeed_when_one_of_them_rehashes_the_password(
    uow: InMemoryUnitOfWork, issuer: TokenIssuer, clock: FixedClock, stored: Stored, ann: object
) -> None:
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    other = LogIn(uow, stronger, issuer, LoginThrottle(), clock)
    first = meddled_log_in(
        uow, stronger, issuer, clock, lambda: other(Credentials(email=EMAIL, password=PASSWORD))
    )
    # The other login rehashes and commits while this one checks the hash it read before.
    result = first(Credentials(email=EMAIL, password=PASSWORD))
    assert result.user.email == EMAIL
    assert not stronger.needs_rehash(stored.user_by_email(EMAIL).password_hash)
    assert failures(uow) == []
    assert len(uow.store.sessions) == 2
