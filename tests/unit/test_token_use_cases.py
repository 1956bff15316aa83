"""Refreshing with rotation, logging out, and turning an access token into the acting user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.auth import Authenticate, LogOut, RefreshTokens, TokenIssuer
from application.tokens import TokenClaims, TokenKind, TokenPolicy
from application.users import OPERATOR, DeleteUser, UpdateUser, UserChanges
from domain.errors import (
    InvalidInput,
    InvalidToken,
    NotAuthenticated,
    TokenExpired,
    TokenRevoked,
)
from domain.users import Role
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import JwtTokenService
from tests.factories import FixedClock, make_session
from tests.unit.conftest import Given, SignIn, Stored

# --- refresh --------------------------------------------------------------------------------


def test_refreshing_returns_a_new_pair_of_tokens(refresh: RefreshTokens, sign_in: SignIn) -> None:
    ann = sign_in()
    pair = refresh(ann.tokens.refresh_token)
    assert pair.refresh_token != ann.tokens.refresh_token
    assert pair.access_token != ann.tokens.access_token
    assert (pair.token_type, pair.expires_in) == ("Bearer", 900)


def test_a_refreshed_access_token_stands_for_the_same_session(
    refresh: RefreshTokens, authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    pair = refresh(ann.tokens.refresh_token)
    assert authenticate(pair.access_token) == ann.actor


def test_a_refreshed_refresh_token_can_be_refreshed_again(
    refresh: RefreshTokens, sign_in: SignIn
) -> None:
    ann = sign_in()
    second = refresh(ann.tokens.refresh_token)
    third = refresh(second.refresh_token)
    assert third.refresh_token not in (ann.tokens.refresh_token, second.refresh_token)


def test_refreshing_commits(
    refresh: RefreshTokens, sign_in: SignIn, uow: InMemoryUnitOfWork
) -> None:
    ann = sign_in()
    uow.committed = False
    refresh(ann.tokens.refresh_token)
    assert uow.committed


def test_a_rotated_refresh_token_no_longer_works(refresh: RefreshTokens, sign_in: SignIn) -> None:
    ann = sign_in()
    refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)


def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(
    refresh: RefreshTokens, sign_in: SignIn, stored: Stored
) -> None:
    ann = sign_in()
    refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)
    assert stored.session(ann.actor.session_id).is_revoked


def test_after_refresh_token_reuse_the_newest_refresh_token_is_revoked_too(
    refresh: RefreshTokens, sign_in: SignIn
) -> None:
    ann = sign_in()
    newest = refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(newest.refresh_token)


def test_after_refresh_token_reuse_the_newest_access_token_is_revoked_too(
    refresh: RefreshTokens, authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    newest = refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        authenticate(newest.access_token)


def test_refresh_token_reuse_leaves_the_users_other_sessions_alone(
    refresh: RefreshTokens, authenticate: Authenticate, sign_in: SignIn
) -> None:
    phone = sign_in()
    laptop = sign_in(phone.user)
    refresh(phone.tokens.refresh_token)
    with pytest.raises(TokenRevoked):
        refresh(phone.tokens.refresh_token)
    assert authenticate(laptop.tokens.access_token) == laptop.actor


def test_an_access_token_is_refused_as_a_refresh_token(
    refresh: RefreshTokens, sign_in: SignIn
) -> None:
    ann = sign_in()
    with pytest.raises(InvalidToken):
        refresh(ann.tokens.access_token)


def test_a_refresh_token_is_refused_as_an_access_token(
    authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    with pytest.raises(InvalidToken):
        authenticate(ann.tokens.refresh_token)


def test_refreshing_without_a_token_is_not_authenticated(refresh: RefreshTokens) -> None:
    with pytest.raises(NotAuthenticated):
        refresh(None)


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "Bearer x", "e30.e30.e30"])
def test_refreshing_with_garbage_is_an_invalid_token(refresh: RefreshTokens, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        refresh(garbage)


def test_a_refresh_token_expires_after_30_days(
    refresh: RefreshTokens, sign_in: SignIn, clock: FixedClock
) -> None:
    ann = sign_in()
    clock.advance(days=30)
    with pytest.raises(TokenExpired):
        refresh(ann.tokens.refresh_token)


def test_a_refresh_token_works_until_just_before_it_expires(
    refresh: RefreshTokens, sign_in: SignIn, clock: FixedClock
) -> None:
    ann = sign_in()
    clock.advance(days=30, seconds=-1)
    assert refresh(ann.tokens.refresh_token).refresh_token


def test_refreshing_for_a_deactivated_user_is_revoked(
    refresh: RefreshTokens, sign_in: SignIn, update_user: UpdateUser
) -> None:
    ann = sign_in()
    update_user(OPERATOR, ann.user.id, UserChanges(is_active=False))
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)


def test_refreshing_for_a_deleted_user_is_revoked(
    refresh: RefreshTokens, sign_in: SignIn, delete_user: DeleteUser
) -> None:
    ann = sign_in()
    delete_user(OPERATOR, ann.user.id)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)


# --- logout ---------------------------------------------------------------------------------


def test_after_logout_the_access_token_is_revoked(
    log_out: LogOut, authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    log_out(ann.tokens.access_token)
    with pytest.raises(TokenRevoked):
        authenticate(ann.tokens.access_token)


def test_after_logout_the_refresh_token_is_revoked(
    log_out: LogOut, refresh: RefreshTokens, sign_in: SignIn
) -> None:
    ann = sign_in()
    log_out(ann.tokens.access_token)
    with pytest.raises(TokenRevoked):
        refresh(ann.tokens.refresh_token)


def test_a_token_of_an_ended_session_cannot_log_out_again(log_out: LogOut, sign_in: SignIn) -> None:
    ann = sign_in()
    log_out(ann.tokens.access_token)
    with pytest.raises(TokenRevoked):
        log_out(ann.tokens.access_token)


def test_a_logout_checks_the_token_before_the_request_and_ends_nothing_it_refuses(
    log_out: LogOut, authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in()
    checked: list[str] = []

    def refuse_the_request() -> None:
        checked.append("request")
        raise InvalidInput.on("x", "Unknown field.")

    with pytest.raises(InvalidToken):  # a bad token: its 401 first, the request unread
        log_out("not-a-token", check_request=refuse_the_request)
    assert checked == []
    with pytest.raises(InvalidInput):
        log_out(ann.tokens.access_token, check_request=refuse_the_request)
    assert authenticate(ann.tokens.access_token) == ann.actor  # still signed in


def test_logging_out_needs_an_access_token(log_out: LogOut, sign_in: SignIn) -> None:
    ann = sign_in()
    with pytest.raises(NotAuthenticated):
        log_out(None)
    with pytest.raises(InvalidToken):
        log_out(ann.tokens.refresh_token)


def test_logout_ends_only_the_session_it_was_called_from(
    log_out: LogOut, authenticate: Authenticate, sign_in: SignIn
) -> None:
    phone = sign_in()
    laptop = sign_in(phone.user)
    log_out(phone.tokens.access_token)
    assert authenticate(laptop.tokens.access_token) == laptop.actor


def test_logout_is_committed_at_once(
    log_out: LogOut, sign_in: SignIn, stored: Stored, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    ann = sign_in()
    uow.committed = False
    log_out(ann.tokens.access_token)
    assert uow.committed
    assert stored.session(ann.actor.session_id).revoked_at == clock()


# --- authenticate ---------------------------------------------------------------------------


def test_an_access_token_authenticates_its_user(
    authenticate: Authenticate, sign_in: SignIn
) -> None:
    ann = sign_in(name="Ann")
    actor = authenticate(ann.tokens.access_token)
    assert (actor.id, actor.name, actor.role) == (ann.user.id, "Ann", Role.USER)


def test_authenticating_with_the_user_gives_the_callers_full_record_as_stored_now(
    authenticate: Authenticate,
    sign_in: SignIn,
    stored: Stored,
    update_user: UpdateUser,
) -> None:
    ann = sign_in(name="Ann")
    update_user(ann.actor, ann.user.id, UserChanges(name="Ann B."))
    actor, user = authenticate.with_user(ann.tokens.access_token)
    assert actor == authenticate(ann.tokens.access_token)
    assert user == stored.user(ann.user.id)
    assert (user.name, user.email) == ("Ann B.", ann.user.email)


def test_authenticating_with_the_user_refuses_what_authenticating_refuses(
    authenticate: Authenticate, sign_in: SignIn, delete_user: DeleteUser
) -> None:
    ann = sign_in()
    delete_user(OPERATOR, ann.user.id)
    with pytest.raises(TokenRevoked):
        authenticate.with_user(ann.tokens.access_token)
    with pytest.raises(NotAuthenticated):
        authenticate.with_user(None)


def test_a_missing_token_is_not_authenticated(authenticate: Authenticate) -> None:
    for missing in (None, ""):
        with pytest.raises(NotAuthenticated):
            authenticate(missing)


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_a_garbage_token_is_invalid(authenticate: Authenticate, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        authenticate(garbage)


def test_a_token_signed_with_another_key_is_invalid(
    authenticate: Authenticate, sign_in: SignIn, clock: FixedClock
) -> None:
    ann = sign_in()
    foreign = TokenIssuer(
        JwtTokenService("another-key-0123456789abcdefghijkl"), TokenPolicy(), clock
    )
    session = make_session(ann.user.id, id=ann.actor.session_id, created_at=clock())
    with pytest.raises(InvalidToken):
        authenticate(foreign.pair(session).access_token)


def test_a_token_whose_subject_is_not_the_sessions_user_is_invalid(
    authenticate: Authenticate, sign_in: SignIn, tokens: JwtTokenService, clock: FixedClock
) -> None:
    ann = sign_in()
    bob = sign_in()
    forged = TokenClaims(
        subject=bob.user.id,
        session_id=ann.actor.session_id,
        token_id="t",
        kind=TokenKind.ACCESS,
        issued_at=clock(),
        expires_at=clock() + timedelta(minutes=5),
    )
    with pytest.raises(InvalidToken):
        authenticate(tokens.encode(forged))


def test_a_token_of_an_unknown_session_is_revoked(
    authenticate: Authenticate, sign_in: SignIn, tokens: JwtTokenService, clock: FixedClock
) -> None:
    ann = sign_in()
    claims = TokenClaims(
        subject=ann.user.id,
        session_id="no-such-session",
        token_id="t",
        kind=TokenKind.ACCESS,
        issued_at=clock(),
        expires_at=clock() + timedelta(minutes=5),
    )
    with pytest.raises(TokenRevoked):
        authenticate(tokens.encode(claims))


def test_an_access_token_expires_after_15_minutes(
    authenticate: Authenticate, sign_in: SignIn, clock: FixedClock
) -> None:
    ann = sign_in()
    clock.advance(minutes=15)
    with pytest.raises(TokenExpired):
        authenticate(ann.tokens.access_token)


def test_an_access_token_works_until_just_before_15_minutes(
    authenticate: Authenticate, sign_in: SignIn, clock: FixedClock
) -> None:
    ann = sign_in()
    clock.advance(minutes=15, seconds=-1)
    assert authenticate(ann.tokens.access_token) == ann.actor


@pytest.mark.parametrize(
    ("access_ttl", "lives"),
    [(timedelta(minutes=1), timedelta(minutes=1)), (timedelta(days=2), timedelta(days=1))],
    ids=["as the policy says", "never past its session"],
)
def test_the_access_token_lifetime_follows_the_policy_within_its_session(
    uow: InMemoryUnitOfWork,
    tokens: JwtTokenService,
    sign_in: SignIn,
    clock: FixedClock,
    access_ttl: timedelta,
    lives: timedelta,
) -> None:
    """ACCESS_TOKEN_TTL may be set above REFRESH_TOKEN_TTL: the token ends with the session."""
    issuer = TokenIssuer(tokens, TokenPolicy(access_ttl=access_ttl), clock)
    ann = sign_in()
    session = make_session(ann.user.id, id=ann.actor.session_id, created_at=clock())
    pair = issuer.pair(session)  # the session ends a day after it began (make_session)
    assert pair.expires_in == lives.total_seconds()
    clock.advance(seconds=lives.total_seconds())
    with pytest.raises(TokenExpired):
        Authenticate(uow, issuer)(pair.access_token)


def test_the_role_is_read_afresh_on_every_call(
    authenticate: Authenticate,
    sign_in: SignIn,
    given: Given,
    update_user: UpdateUser,
) -> None:
    given.admin()
    boss = sign_in(role=Role.ADMIN)
    assert authenticate(boss.tokens.access_token).role is Role.ADMIN
    update_user(OPERATOR, boss.user.id, UserChanges(role=Role.USER))
    assert authenticate(boss.tokens.access_token).role is Role.USER


def test_the_name_is_read_afresh_on_every_call(
    authenticate: Authenticate, sign_in: SignIn, update_user: UpdateUser
) -> None:
    ann = sign_in(name="Ann")
    update_user(ann.actor, ann.user.id, UserChanges(name="Annie"))
    assert authenticate(ann.tokens.access_token).name == "Annie"


def test_a_token_of_a_revoked_session_is_revoked(
    authenticate: Authenticate, sign_in: SignIn, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    ann = sign_in()
    with uow:
        uow.sessions.revoke(ann.actor.session_id, clock())
        uow.commit()
    with pytest.raises(TokenRevoked):
        authenticate(ann.tokens.access_token)


def test_a_token_of_a_deactivated_user_is_revoked(
    authenticate: Authenticate, sign_in: SignIn, update_user: UpdateUser
) -> None:
    ann = sign_in()
    update_user(OPERATOR, ann.user.id, UserChanges(is_active=False))
    with pytest.raises(TokenRevoked):
        authenticate(ann.tokens.access_token)


def test_a_token_of_a_deleted_user_is_revoked(
    authenticate: Authenticate, sign_in: SignIn, delete_user: DeleteUser
) -> None:
    ann = sign_in()
    delete_user(OPERATOR, ann.user.id)
    with pytest.raises(TokenRevoked):
        authenticate(ann.tokens.access_token)


def test_authenticating_changes_nothing(
    authenticate: Authenticate, sign_in: SignIn, uow: InMemoryUnitOfWork
) -> None:
    ann = sign_in()
    uow.committed = False
    authenticate(ann.tokens.access_token)
    assert not uow.committed


# --- the clock ------------------------------------------------------------------------------


def test_tokens_are_judged_by_the_injected_clock_not_the_system_clock(
    uow: InMemoryUnitOfWork, given: Given, tokens: JwtTokenService
) -> None:
    """Token times follow the Clock port; a clock ahead of the host's must not void them."""
    ahead = FixedClock(datetime(2100, 1, 1, tzinfo=UTC))
    issuer = TokenIssuer(tokens, TokenPolicy(), ahead)
    user = given.user()
    session = make_session(
        user.id, id="s-ahead", created_at=ahead(), expires_at=ahead() + timedelta(days=30)
    )
    with uow:
        uow.sessions.add(session)
        uow.commit()
    assert Authenticate(uow, issuer)(issuer.pair(session).access_token).id == user.id
